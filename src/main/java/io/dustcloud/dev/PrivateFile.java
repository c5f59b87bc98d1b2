package io.dustcloud.dev;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Set;

/**
 * Writes a file that holds a secret (the dev kubeconfig's token): readable only by its owner from the
 * moment it exists, and never through whatever already sits at its path. The content goes to a new file
 * in the same directory, created with mode 0600 (umask can only take bits away), then renamed over the
 * path: a rename replaces a symlink or another user's file there instead of following or reusing it.
 */
final class PrivateFile {

  private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
  private static final Set<PosixFilePermission> OWNER_ONLY_DIR = PosixFilePermissions.fromString("rwx------");
  private static final SecureRandom RANDOM = new SecureRandom();

  private PrivateFile() {
  }

  /**
   * @return the absolute path written
   * @throws UncheckedIOException when the file cannot be written, e.g. the path is a directory or the file
   *     system has no POSIX permissions (a file that could not be kept private is not written at all)
   */
  static Path write(Path file, String content) {
    Path target = file.toAbsolutePath();
    Path dir = target.getParent();
    Path temp = dir.resolve("." + target.getFileName() + "." + HexFormat.of().formatHex(randomBytes()) + ".tmp");
    try {
      if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
        throw new IOException("it is a directory");
      }
      // a directory made here is private too; one that exists is the caller's choice
      Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY_DIR));
      FileAttribute<Set<PosixFilePermission>> ownerOnly = PosixFilePermissions.asFileAttribute(OWNER_ONLY);
      // CREATE_NEW: O_EXCL, so nothing planted at the temporary name (a link included) is opened
      try (FileChannel out = FileChannel.open(temp, EnumSet.of(StandardOpenOption.CREATE_NEW,
          StandardOpenOption.WRITE), ownerOnly)) {
        ByteBuffer bytes = ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8));
        while (bytes.hasRemaining()) {
          out.write(bytes);
        }
        out.force(true);
      }
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      return target;
    } catch (UnsupportedOperationException e) {
      deleteQuietly(temp);
      throw new UncheckedIOException("cannot write " + target + " readable by its owner only: the file system "
          + "has no POSIX permissions", new IOException(e));
    } catch (IOException e) {
      deleteQuietly(temp);
      throw new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
    }
  }

  private static byte[] randomBytes() {
    byte[] bytes = new byte[8];
    RANDOM.nextBytes(bytes);
    return bytes;
  }

  private static void deleteQuietly(Path temp) {
    try {
      Files.deleteIfExists(temp);
    } catch (IOException ignored) {
      // the write failed already; that failure is the one to report
    }
  }
}
