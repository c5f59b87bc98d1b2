package io.dustcloud.provider.local;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Synthetic Solo5 unikernels: an ELF64 little-endian header and one note area holding the
 * Solo5 {@code MFT1} manifest note, laid out as Solo5's {@code mft_abi.h} declares it (note
 * header, "Solo5" padded to 8, 4 bytes of padding, {@code struct mft}, 104-byte entries, the
 * reserved first entry the toolchain adds). Written byte by byte here, independently of the
 * reader, so a reader that disagrees with the layout fails.
 */
final class Solo5Elf {
  static final int BLOCK = 1;
  static final int NET = 2;
  static final int RESERVED_FIRST = 1 << 30;

  /** One manifest entry: a device name and its MFT type. */
  record Entry(String name, int type) {
    static Entry net(String name) {
      return new Entry(name, NET);
    }

    static Entry block(String name) {
      return new Entry(name, BLOCK);
    }
  }

  private Solo5Elf() {}

  /** An executable whose manifest declares {@code devices}, in a PT_NOTE segment (what tenders read). */
  static byte[] withManifest(List<Entry> devices) {
    return elf(note(manifest(devices)), true);
  }

  /** The manifest note followed by an ABI1 note naming Solo5 target {@code target} (1 hvt, 2 spt, 3 virtio). */
  static byte[] withManifestAndAbi(List<Entry> devices, int target) {
    byte[] mft = note(manifest(devices));
    ByteBuffer n = le(mft.length + 20 + 16);
    n.put(mft).putInt(6).putInt(16).putInt(0x31494241).put("Solo5\0\0\0".getBytes(StandardCharsets.US_ASCII));
    n.putInt(target).putInt(1).putInt(0).putInt(0); // target, ABI version, reserved
    return elf(n.array(), true);
  }

  /** The same note reached through a SHT_NOTE section of a file without program headers. */
  static byte[] withManifestInSection(List<Entry> devices) {
    return elf(note(manifest(devices)), false);
  }

  /** A well-formed ELF64 file with a note area holding only a GNU build-id note. */
  static byte[] withoutManifest() {
    ByteBuffer n = le(12 + 4 + 8);
    n.putInt(4).putInt(8).putInt(3).put("GNU\0".getBytes(StandardCharsets.US_ASCII)).putLong(0x1122334455667788L);
    return elf(n.array(), true);
  }

  /** {@code struct mft}: version 1, the reserved first entry, then {@code devices}. */
  static byte[] manifest(List<Entry> devices) {
    int entries = devices.size() + 1;
    ByteBuffer m = le(8 + entries * 104);
    m.putInt(1).putInt(entries);
    entry(m, new Entry("", RESERVED_FIRST));
    devices.forEach(d -> entry(m, d));
    return m.array();
  }

  private static void entry(ByteBuffer m, Entry e) {
    int at = m.position();
    byte[] name = e.name().getBytes(StandardCharsets.US_ASCII);
    m.put(name, 0, Math.min(name.length, 68));
    m.position(at + 68).putInt(e.type());
    m.position(at + 104); // u (16 bytes), b (8), attached (1) + padding: zero in a file
  }

  /** The MFT1 note around a {@code struct mft}: header, name, 4 bytes of padding to 8-align the struct. */
  static byte[] note(byte[] mft) {
    ByteBuffer n = le(24 + mft.length);
    n.putInt(6).putInt(4 + mft.length).putInt(0x3154464d);
    n.put("Solo5\0\0\0".getBytes(StandardCharsets.US_ASCII)).putInt(0).put(mft);
    return n.array();
  }

  /** ELF64 LE header at 0, the notes at 0x100; a PT_NOTE program header or a SHT_NOTE section header describes them. */
  static byte[] elf(byte[] notes, boolean segment) {
    int notesAt = 0x100;
    int tableAt = notesAt + notes.length;
    int tableSize = segment ? 56 : 64 * 2; // sections: the null section, then the note
    ByteBuffer f = le(tableAt + tableSize);
    f.put(new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1, 0});
    f.putShort(16, (short) 2).putShort(18, (short) 62).putInt(20, 1).putLong(24, 0x100000);
    f.putLong(32, segment ? tableAt : 0).putLong(40, segment ? 0 : tableAt);
    f.putShort(52, (short) 64).putShort(54, (short) 56).putShort(56, (short) (segment ? 1 : 0));
    f.putShort(58, (short) 64).putShort(60, (short) (segment ? 0 : 2)).putShort(62, (short) 0);
    f.put(notesAt, notes);
    if (segment) {
      f.putInt(tableAt, 4).putInt(tableAt + 4, 4).putLong(tableAt + 8, notesAt)
          .putLong(tableAt + 32, notes.length).putLong(tableAt + 40, notes.length).putLong(tableAt + 48, 4);
    } else {
      int sh = tableAt + 64;
      f.putInt(sh + 4, 7).putLong(sh + 24, notesAt).putLong(sh + 32, notes.length).putLong(sh + 48, 4);
    }
    return f.array();
  }

  private static ByteBuffer le(int size) {
    return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
  }
}
