#!/usr/bin/env bash
# Builds the example app as a `virtio` artifact for the local provider's qemu runtime:
# a Linux microVM made only of Debian packages.
#
#   examples/hello/build-vm-image.sh [OUT_DIR]      (default: target/vm-image)
#
# Produces OUT_DIR/hello-vm.tar.gz, a tar (gzip) holding exactly two files:
#   kernel   Debian's cloud kernel (bzImage), from linux-image-*-cloud-amd64
#   initrd   a gzip'd newc cpio: /init (init.c), /hello (hello.c), /dev/console and
#            /modules/*.ko (the virtio network drivers, which Debian builds as modules)
# both built statically with musl-gcc. It prints the artifact's sha256 and writes
# OUT_DIR/hello-vm.yaml: examples/hello-vm.yaml with that digest and path filled in.
#
# Needs: musl-tools, cpio, dpkg, apt-get (the kernel is fetched with `apt-get download`
# and unpacked with `dpkg -x` into OUT_DIR, never installed into /boot), root or fakeroot
# for the /dev/console node. Re-running without source changes reuses the artifact.
# Timestamps and ownership are pinned, so the same kernel and sources give the same bytes.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
out="${1:-$repo/target/vm-image}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
artifact="$out/hello-vm.tar.gz"

fresh=1
for src in "$here/hello.c" "$here/init.c" "$0" "$repo/examples/hello-vm.yaml"; do
  [ -f "$artifact" ] && [ "$artifact" -nt "$src" ] || fresh=0
done

if [ "$fresh" = 0 ]; then
  for tool in musl-gcc cpio dpkg apt-get gzip tar; do
    command -v "$tool" >/dev/null || { echo "build-vm-image: $tool not found (apt-get install musl-tools cpio)" >&2; exit 3; }
  done

  # 1. kernel: the package linux-image-cloud-amd64 currently depends on
  kpkg="$(apt-cache depends linux-image-cloud-amd64 2>/dev/null | awk '/Depends: linux-image-/{print $2; exit}')"
  [ -n "$kpkg" ] || { echo "build-vm-image: cannot resolve linux-image-cloud-amd64 (run apt-get update)" >&2; exit 3; }
  kdir="$out/kernel-$kpkg"
  if [ ! -d "$kdir/boot" ]; then
    rm -rf "$out/deb" "$kdir.tmp" && mkdir -p "$out/deb"
    (cd "$out/deb" && apt-get download -q "$kpkg" >/dev/null) \
      || { echo "build-vm-image: apt-get download $kpkg failed (run apt-get update)" >&2; exit 3; }
    dpkg -x "$out"/deb/*.deb "$kdir.tmp"
    mv "$kdir.tmp" "$kdir"
    rm -rf "$out/deb"
  fi
  kernel="$(ls "$kdir"/boot/vmlinuz-* | head -n1)"

  # 2. initramfs
  root="$out/initramfs"
  rm -rf "$root" && mkdir -p "$root/dev" "$root/modules" "$root/proc"
  flags=(-static -Os -s -Wall -D_GNU_SOURCE -ffile-prefix-map="$here"=. -fno-ident)
  musl-gcc "${flags[@]}" -pthread -o "$root/hello" "$here/hello.c"
  musl-gcc "${flags[@]}" -o "$root/init" "$here/init.c"
  mknod -m 600 "$root/dev/console" c 5 1
  for m in virtio_ring virtio virtio_mmio failover net_failover virtio_net \
           virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci; do
    ko="$(find "$kdir/lib/modules" -name "$m.ko*" | head -n1)"
    [ -n "$ko" ] || continue   # built into the kernel
    case "$ko" in
      *.xz) xz -dc "$ko" >"$root/modules/$m.ko" ;;
      *.zst) zstd -qdc "$ko" >"$root/modules/$m.ko" ;;
      *) cp "$ko" "$root/modules/$m.ko" ;;
    esac
  done
  find "$root" -exec touch -h -d @0 {} +
  stage="$out/stage"
  rm -rf "$stage" && mkdir -p "$stage"
  (cd "$root" && find . | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0 --reproducible | gzip -9n >"$stage/initrd")
  cp "$kernel" "$stage/kernel"
  touch -d @0 "$stage/kernel" "$stage/initrd"
  tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$stage" -cf - kernel initrd \
    | gzip -9n >"$artifact.tmp"
  mv "$artifact.tmp" "$artifact"
  rm -rf "$stage"
fi

sha="$(sha256sum "$artifact" | cut -d' ' -f1)"
sed -e "s|^\(\s*url:\).*|\1 $artifact|" -e "s|^\(\s*sha256:\).*|\1 \"$sha\"|" \
  "$repo/examples/hello-vm.yaml" >"$out/hello-vm.yaml"
echo "artifact=$artifact"
echo "sha256=$sha"
echo "manifest=$out/hello-vm.yaml"
