package io.dustcloud.provider.local;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The devices a Solo5 unikernel declares, read from its ELF file without running it: Solo5's
 * build writes the application manifest into an ELF note (name {@code Solo5}, type
 * {@code MFT1}, section {@code .note.solo5.manifest}, one {@code PT_NOTE} segment), and the
 * tender refuses to start a unikernel whose declared devices are not all attached on its
 * command line. Reading it here turns "the tender exits at once, over and over" into one
 * precise refusal before anything starts.
 *
 * <p>Layout (Solo5's {@code mft_abi.h}, MFT version 1): the note header is 12 bytes plus the
 * name padded to 8; the {@code struct mft} starts 8-aligned from the note's start (24 bytes
 * in), so 4 bytes of the descriptor are padding. {@code struct mft} is {@code version},
 * {@code entries} (both u32) and {@code entries} 104-byte {@code struct mft_entry}: a
 * NUL-terminated {@code name[68]}, a u32 type (1 block, 2 net, 2^30 the reserved first
 * entry the toolchain always adds), then properties this reader does not need. The ABI note
 * (type {@code ABI1}, {@code elf_abi.h}, its own {@code PT_NOTE} segment) names the target the
 * unikernel was built for. ELF64, little-endian only: every Solo5 target (x86_64, aarch64) is.
 *
 * @param devices the declared devices, reserved entries left out, in manifest order
 */
record Solo5Manifest(List<Device> devices) {
  static final int NOTE_TYPE_MFT1 = 0x3154464d;
  /** The ABI note ({@code elf_abi.h}): its descriptor starts with the target, a u32 (1 hvt, 2 spt, …). */
  static final int NOTE_TYPE_ABI1 = 0x31494241;
  static final List<String> TARGETS = List.of("hvt", "spt", "virtio", "muen", "genode", "xen");
  static final String NOTE_NAME = "Solo5";
  static final int MFT_VERSION = 1;
  static final int MAX_ENTRIES = 64;
  static final int ENTRY_SIZE = 104;
  static final int NAME_SIZE = 68;
  /** Offset of {@code struct mft} from the start of its note (the tender's note_align, 8). */
  static final int MFT_OFFSET = 24;
  private static final int TYPE_BLOCK = 1;
  private static final int TYPE_NET = 2;
  private static final int TYPE_RESERVED_FIRST = 1 << 30;
  private static final int PT_NOTE = 4;
  private static final int SHT_NOTE = 7;
  /** Far above any real note segment (a manifest of 64 entries is under 7 KiB). */
  private static final long MAX_NOTES_BYTES = 1 << 20;

  enum Kind { NET, BLOCK }

  record Device(String name, Kind kind) {}

  Solo5Manifest {
    devices = List.copyOf(devices);
  }

  List<Device> of(Kind kind) {
    return devices.stream().filter(d -> d.kind() == kind).toList();
  }

  /** What reading an artifact found; never an exception. */
  sealed interface Read permits Found, Absent, Unreadable {}

  /**
   * The artifact carries a manifest, and {@code target} is the Solo5 target its ABI note names
   * ({@code hvt}, {@code spt}, {@code virtio}, …), or null when it has none.
   */
  record Found(Solo5Manifest manifest, String target) implements Read {}

  /** A well-formed ELF64 file with no Solo5 manifest note (what Solo5 before 0.6 built). */
  record Absent() implements Read {}

  /** Not a file this reader can trust: {@code problem} says exactly what is wrong, and where. */
  record Unreadable(String problem) implements Read {}

  static Read read(Path artifact) {
    try (FileChannel in = FileChannel.open(artifact)) {
      return new Reader(in).read();
    } catch (Corrupt e) {
      return new Unreadable(e.getMessage());
    } catch (IOException e) {
      return new Unreadable("cannot read it: " + e);
    }
  }

  /** A structural problem, with the message the refusal quotes. */
  private static final class Corrupt extends Exception {
    Corrupt(String message) {
      super(message, null, false, false);
    }
  }

  private static final class Reader {
    private final FileChannel in;
    private final long size;
    /** The first MFT1 manifest and ABI1 target found, across every note area. */
    private Solo5Manifest manifest;
    private String target;

    Reader(FileChannel in) throws IOException {
      this.in = in;
      this.size = in.size();
    }

    Read read() throws IOException, Corrupt {
      ByteBuffer start = bytes(0, (int) Math.min(size, 4), "the ELF magic");
      if (size < 4 || start.getInt(0) != 0x464c457f) { // "\x7fELF" read little-endian
        throw new Corrupt("not an ELF file (it starts with " + hex(start, start.limit()) + ")");
      }
      ByteBuffer h = bytes(0, 64, "the ELF header");
      if (h.get(4) != 2) {
        throw new Corrupt("ELF class " + h.get(4) + " (32-bit); Solo5 unikernels are ELF64");
      }
      if (h.get(5) != 1) {
        throw new Corrupt("big-endian ELF (data encoding " + h.get(5) + "); Solo5 unikernels are little-endian");
      }
      long phoff = h.getLong(32);
      long shoff = h.getLong(40);
      int phentsize = Short.toUnsignedInt(h.getShort(54));
      int phnum = Short.toUnsignedInt(h.getShort(56));
      int shentsize = Short.toUnsignedInt(h.getShort(58));
      int shnum = Short.toUnsignedInt(h.getShort(60));
      // the tender reads program headers only; sections are the fallback for files without them
      boolean segments = phnum > 0;
      int count = segments ? phnum : shnum;
      long table = segments ? phoff : shoff;
      int entsize = segments ? phentsize : shentsize;
      String what = segments ? "program header" : "section header";
      if (count > 0 && entsize < (segments ? 56 : 64)) {
        throw new Corrupt(what + " entries of " + entsize + " bytes; ELF64 needs " + (segments ? 56 : 64));
      }
      for (int i = 0; i < count; i++) {
        ByteBuffer e = bytes(table + (long) i * entsize, segments ? 56 : 64, what + " " + i);
        boolean note = segments ? e.getInt(0) == PT_NOTE : e.getInt(4) == SHT_NOTE;
        if (!note) {
          continue;
        }
        long offset = segments ? e.getLong(8) : e.getLong(24);
        long length = segments ? e.getLong(32) : e.getLong(32);
        if (length > MAX_NOTES_BYTES) {
          throw new Corrupt(what + " " + i + " is a note area of " + length + " bytes (more than "
              + MAX_NOTES_BYTES + ")");
        }
        notesIn(bytes(offset, (int) length, "the notes of " + what + " " + i), what + " " + i);
      }
      return manifest == null ? new Absent() : new Found(manifest, target);
    }

    /** Walks the notes of one area, keeping the first Solo5 manifest and ABI target. */
    private void notesIn(ByteBuffer notes, String where) throws Corrupt {
      int at = 0;
      int end = notes.limit();
      while (end - at >= 12) {
        long namesz = Integer.toUnsignedLong(notes.getInt(at));
        long descsz = Integer.toUnsignedLong(notes.getInt(at + 4));
        int type = notes.getInt(at + 8);
        long descAt = at + 12 + align(namesz, 4);
        long next = descAt + align(descsz, 4);
        if (descAt + descsz > end) {
          throw new Corrupt("a note in " + where + " at byte " + at + " runs past its end (name " + namesz
              + " bytes, descriptor " + descsz + " bytes, " + (end - at) + " bytes left)");
        }
        if (type == NOTE_TYPE_MFT1 && manifest == null && isSolo5(notes, at + 12, namesz)) {
          manifest = parse(notes, at, (int) descsz, where);
        } else if (type == NOTE_TYPE_ABI1 && target == null && isSolo5(notes, at + 12, namesz)) {
          if (descsz < 4) {
            throw new Corrupt("the Solo5 ABI note (" + where + ") is truncated: its descriptor is " + descsz + " bytes");
          }
          int t = notes.getInt((int) descAt);
          target = t >= 1 && t <= TARGETS.size() ? TARGETS.get(t - 1) : "unknown target " + Integer.toUnsignedString(t);
        }
        at = (int) next;
      }
    }

    private static boolean isSolo5(ByteBuffer notes, int at, long namesz) {
      if (namesz != NOTE_NAME.length() + 1) {
        return false;
      }
      byte[] name = new byte[(int) namesz];
      notes.get(at, name);
      return new String(name, 0, NOTE_NAME.length(), StandardCharsets.US_ASCII).equals(NOTE_NAME)
          && name[NOTE_NAME.length()] == 0;
    }

    private static Solo5Manifest parse(ByteBuffer notes, int noteAt, int descsz, String where) throws Corrupt {
      String m = "the Solo5 manifest (" + where + ")";
      int pad = MFT_OFFSET - 20;
      if (descsz < pad + 8) {
        throw new Corrupt(m + " is truncated: its descriptor is " + descsz + " bytes, less than the "
            + (pad + 8) + " of an empty manifest");
      }
      int mft = noteAt + MFT_OFFSET;
      int version = notes.getInt(mft);
      if (version != MFT_VERSION) {
        throw new Corrupt(m + " has version " + Integer.toUnsignedString(version) + "; this operator reads version "
            + MFT_VERSION);
      }
      long entries = Integer.toUnsignedLong(notes.getInt(mft + 4));
      if (entries > MAX_ENTRIES) {
        throw new Corrupt(m + " declares " + entries + " entries; Solo5 allows at most " + MAX_ENTRIES);
      }
      long need = pad + 8 + entries * ENTRY_SIZE;
      if (descsz < need) {
        throw new Corrupt(m + " is truncated: " + entries + " entries need a " + need + "-byte descriptor, it has "
            + descsz);
      }
      List<Device> devices = new ArrayList<>();
      for (int i = 0; i < entries; i++) {
        int e = mft + 8 + i * ENTRY_SIZE;
        int type = notes.getInt(e + NAME_SIZE);
        if (type == TYPE_RESERVED_FIRST) {
          continue;
        }
        String name = name(notes, e, m, i);
        if (type == TYPE_NET) {
          devices.add(new Device(name, Kind.NET));
        } else if (type == TYPE_BLOCK) {
          devices.add(new Device(name, Kind.BLOCK));
        } else {
          throw new Corrupt(m + ": entry " + i + " ('" + name + "') has unknown device type "
              + Integer.toUnsignedString(type));
        }
      }
      return new Solo5Manifest(devices);
    }

    private static String name(ByteBuffer notes, int entry, String m, int i) throws Corrupt {
      byte[] raw = new byte[NAME_SIZE];
      notes.get(entry, raw);
      int len = 0;
      while (len < NAME_SIZE && raw[len] != 0) {
        len++;
      }
      if (len == NAME_SIZE) {
        throw new Corrupt(m + ": the name of entry " + i + " is not NUL-terminated within " + NAME_SIZE + " bytes");
      }
      return new String(raw, 0, len, StandardCharsets.US_ASCII);
    }

    /** {@code length} bytes at {@code offset}, or a refusal naming {@code what} and how far the file falls short. */
    private ByteBuffer bytes(long offset, int length, String what) throws IOException, Corrupt {
      if (offset < 0 || offset > size || size - offset < length) {
        throw new Corrupt("truncated: " + what + " needs bytes " + Long.toUnsignedString(offset) + "–"
            + (offset + length) + " but the file is " + size + " bytes");
      }
      ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
      while (b.hasRemaining()) {
        if (in.read(b, offset + b.position()) < 0) {
          throw new Corrupt("truncated while reading " + what);
        }
      }
      return b.flip();
    }

    private static long align(long n, int to) {
      return (n + to - 1) & -to;
    }

    private static String hex(ByteBuffer b, int n) {
      StringBuilder s = new StringBuilder();
      for (int i = 0; i < n; i++) {
        s.append(i == 0 ? "" : " ").append(String.format("%02x", b.get(i)));
      }
      return n == 0 ? "nothing: it is empty" : s.toString();
    }
  }
}
