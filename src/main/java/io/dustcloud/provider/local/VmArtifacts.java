package io.dustcloud.provider.local;

import io.dustcloud.provider.RevisionImage;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashSet;
import java.util.Set;
import java.util.zip.GZIPInputStream;

/**
 * The virtio artifact layouts the qemu runtime accepts, and where they are unpacked.
 *
 * <ul>
 *   <li>a tar archive (optionally gzip'd) holding regular files {@code kernel} and {@code
 *       initrd}: a Linux-style guest, booted with {@code -M microvm};
 *   <li>a directory holding {@code kernel} and {@code initrd}: the same, unpacked (handy
 *       while developing an image; not content-addressed);
 *   <li>a single ELF file with a multiboot header (what Solo5's virtio target produces):
 *       booted with {@code -M pc}.
 * </ul>
 *
 * Archives are unpacked once into {@code <stateDir>/vm-images/<sha256>/}, written to a
 * temporary directory and renamed, so a crash never leaves a half-unpacked image in use.
 */
final class VmArtifacts {
  static final String KERNEL = "kernel";
  static final String INITRD = "initrd";
  private static final int MULTIBOOT_MAGIC = 0x1BADB002;
  // the multiboot header must lie within the image's first 8 KiB, 4-byte aligned
  private static final int MULTIBOOT_SEARCH = 8192;

  private final Path cacheDir;
  private final ArtifactDigests digests;

  VmArtifacts(Path cacheDir, ArtifactDigests digests) {
    this.cacheDir = cacheDir;
    this.digests = digests;
  }

  /** Why {@code image} is not a bootable virtio artifact, or null. */
  String unsupportedReason(RevisionImage image) {
    Path path = UnixArtifacts.path(image);
    if (!Files.exists(path)) {
      return "artifact " + path + " does not exist";
    }
    String mismatch = digests.mismatch(image, path);
    if (mismatch != null) {
      return mismatch;
    }
    for (String arg : image.bootArgs()) {
      // the kernel command line splits on whitespace and has no quoting a guest can rely on
      if (arg.isEmpty() || arg.chars().anyMatch(c -> Character.isWhitespace(c) || c == '"')) {
        return "boot arg '" + arg + "' cannot be passed on a kernel command line (empty, whitespace or quotes)";
      }
    }
    try {
      resolve(image);
      return null;
    } catch (IOException e) {
      return "artifact " + path + " is not a virtio image: " + e.getMessage()
          + " (expected a tar or tar.gz with 'kernel' and 'initrd', or a multiboot ELF)";
    }
  }

  /** The kernel (and initrd) to boot, unpacking an archive on first use. */
  VmImage resolve(RevisionImage image) throws IOException {
    Path path = UnixArtifacts.path(image);
    if (Files.isDirectory(path)) {
      return linux(path);
    }
    byte[] head = new byte[MULTIBOOT_SEARCH];
    int n;
    try (InputStream in = Files.newInputStream(path)) {
      n = in.readNBytes(head, 0, head.length);
    }
    if (n >= 4 && head[0] == 0x7f && head[1] == 'E' && head[2] == 'L' && head[3] == 'F') {
      if (!multiboot(head, n)) {
        throw new IOException("an ELF file without a multiboot header");
      }
      return new VmImage(VmImage.Kind.MULTIBOOT, path, null);
    }
    String key = image.sha256() == null || image.sha256().isBlank() ? digests.sha256(path) : image.sha256();
    Path dir = cacheDir.resolve(key);
    if (!Files.isDirectory(dir)) {
      unpack(path, dir);
    }
    return linux(dir);
  }

  private static VmImage linux(Path dir) throws IOException {
    Path kernel = dir.resolve(KERNEL);
    Path initrd = dir.resolve(INITRD);
    if (!Files.isRegularFile(kernel) || !Files.isRegularFile(initrd)) {
      throw new IOException(dir + " lacks '" + KERNEL + "' or '" + INITRD + "'");
    }
    return new VmImage(VmImage.Kind.LINUX, kernel, initrd);
  }

  static boolean multiboot(byte[] head, int length) {
    ByteBuffer b = ByteBuffer.wrap(head, 0, length).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i + 12 <= length; i += 4) {
      // magic, flags, checksum: the three sum to zero
      if (b.getInt(i) == MULTIBOOT_MAGIC && b.getInt(i) + b.getInt(i + 4) + b.getInt(i + 8) == 0) {
        return true;
      }
    }
    return false;
  }

  /** Extracts {@code kernel} and {@code initrd} from a (gzip'd) ustar/GNU tar; other entries are ignored. */
  private void unpack(Path archive, Path dir) throws IOException {
    PrivateFiles.directory(cacheDir);
    Path tmp = Files.createTempDirectory(cacheDir, dir.getFileName() + ".unpacking-");
    try (InputStream raw = new BufferedInputStream(Files.newInputStream(archive))) {
      raw.mark(2);
      boolean gzip = raw.read() == 0x1f && raw.read() == 0x8b;
      raw.reset();
      InputStream in = gzip ? new GZIPInputStream(raw, 64 * 1024) : raw;
      Set<String> found = new HashSet<>();
      byte[] header = new byte[512];
      while (in.readNBytes(header, 0, 512) == 512 && header[0] != 0) {
        String name = field(header, 0, 100);
        String prefix = field(header, 345, 155);
        if (!prefix.isEmpty() && header[257] == 'u') {
          name = prefix + "/" + name;
        }
        name = name.startsWith("./") ? name.substring(2) : name;
        long size = octal(header, 124, 12);
        char type = (char) header[156];
        boolean wanted = (type == '0' || type == 0) && (name.equals(KERNEL) || name.equals(INITRD));
        if (wanted) {
          try (OutputStream out = Files.newOutputStream(tmp.resolve(name))) {
            copy(in, out, size);
          }
          found.add(name);
        } else {
          in.skipNBytes(size);
        }
        in.skipNBytes((512 - size % 512) % 512);
      }
      if (!found.containsAll(Set.of(KERNEL, INITRD))) {
        throw new IOException("the archive holds " + (found.isEmpty() ? "neither" : "only " + found)
            + " of '" + KERNEL + "' and '" + INITRD + "'");
      }
      Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException | RuntimeException e) {
      deleteTree(tmp);
      if (Files.isDirectory(dir)) {
        return; // another thread unpacked the same image first
      }
      throw e instanceof IOException io ? io : new IOException("unreadable archive: " + e, e);
    }
  }

  private static void copy(InputStream in, OutputStream out, long size) throws IOException {
    byte[] buf = new byte[64 * 1024];
    for (long left = size; left > 0; ) {
      int n = in.read(buf, 0, (int) Math.min(buf.length, left));
      if (n < 0) {
        throw new IOException("truncated archive");
      }
      out.write(buf, 0, n);
      left -= n;
    }
  }

  private static String field(byte[] h, int off, int len) {
    int end = off;
    while (end < off + len && h[end] != 0) {
      end++;
    }
    return new String(h, off, end - off, StandardCharsets.UTF_8);
  }

  private static long octal(byte[] h, int off, int len) throws IOException {
    String s = field(h, off, len).strip();
    try {
      return s.isEmpty() ? 0 : Long.parseLong(s, 8);
    } catch (NumberFormatException e) {
      throw new IOException("not a tar archive");
    }
  }

  private static void deleteTree(Path dir) {
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // best effort: a leftover temporary directory is harmless
    }
  }
}
