#!/bin/sh
# Packs a multiboot kernel into a GCE image without root (no loop mounts):
#   disk.raw   1 GiB, sparse (GCE wants a whole number of GiB): an MBR with SYSLINUX's boot
#              code, one bootable FAT16 partition at 1 MiB holding SYSLINUX, mboot.c32 and
#              the kernel, booted with $GCE_ARGS (no --ipv4: the guest uses DHCP)
#   image.tar.gz  disk.raw the way GCE imports it (tar --format=oldgnu, sparse, gzip'd)
# Reproducible: a fixed disk label id, mkfs.fat --invariant (fixed volume id too), every timestamp pinned
# (mtools reads SOURCE_DATE_EPOCH), tar with sorted names, fixed owner and mtime, gzip -n.
set -eu
kernel=$1
out=$2
args=${GCE_ARGS:-}
epoch=${SOURCE_DATE_EPOCH:-946684800}
export SOURCE_DATE_EPOCH=$epoch TZ=UTC
syslinux_bios=/usr/lib/syslinux/modules/bios
mbr=/usr/lib/syslinux/mbr/mbr.bin
for tool in sfdisk mkfs.fat syslinux mcopy; do
  command -v $tool >/dev/null 2>&1 || PATH=$PATH:/sbin:/usr/sbin
  command -v $tool >/dev/null 2>&1 || { echo "mkdisk: $tool not found (Debian: apt-get install fdisk dosfstools syslinux mtools syslinux-common)" >&2; exit 1; }
done
for f in $mbr $syslinux_bios/mboot.c32 $syslinux_bios/libcom32.c32; do
  [ -f $f ] || { echo "mkdisk: $f not found (Debian: apt-get install syslinux-common)" >&2; exit 1; }
done

tmp=$out/disk.tmp
rm -rf $tmp
mkdir -p $tmp
part_sectors=32768 # 16 MiB
start=2048

cat > $tmp/syslinux.cfg <<CFG
SERIAL 0 115200
DEFAULT unikernel
PROMPT 0
TIMEOUT 0
LABEL unikernel
  KERNEL mboot.c32
  APPEND kernel $args
CFG
cp $kernel $tmp/kernel
cp $syslinux_bios/mboot.c32 $syslinux_bios/libcom32.c32 $tmp/
touch -d @$epoch $tmp/syslinux.cfg $tmp/kernel $tmp/mboot.c32 $tmp/libcom32.c32

# -h: the partition's offset, which SYSLINUX's boot sector uses to find itself on the disk
mkfs.fat -F 16 -C --invariant -n DUSTCLOUD -h $start $tmp/part.img $((part_sectors / 2)) >/dev/null
syslinux --install $tmp/part.img
mcopy -m -i $tmp/part.img $tmp/syslinux.cfg $tmp/kernel $tmp/mboot.c32 $tmp/libcom32.c32 ::/

rm -f $out/disk.raw
truncate -s 1G $out/disk.raw
sfdisk --quiet $out/disk.raw <<SFDISK
label: dos
label-id: 0x44555354
start=$start, size=$part_sectors, type=6, bootable
SFDISK
dd if=$tmp/part.img of=$out/disk.raw bs=512 seek=$start conv=notrunc,sparse status=none
dd if=$mbr of=$out/disk.raw bs=440 count=1 conv=notrunc status=none
touch -d @$epoch $out/disk.raw
tar --format=oldgnu -S --sort=name --mtime=@$epoch --owner=0 --group=0 --numeric-owner \
  -C $out -cf - disk.raw | gzip -n -9 > $out/image.tar.gz
rm -rf $tmp
