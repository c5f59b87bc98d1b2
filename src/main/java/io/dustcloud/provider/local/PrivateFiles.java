package io.dustcloud.provider.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Local state is private to the user who runs the operator: instance logs carry whatever the
 * unikernels print, and fleet state names the pids the operator will signal. Directories are
 * created 0700 and files 0600 atomically (with the attribute, not a chmod after, so there is no
 * moment another user could open them); state left looser by an older operator is tightened.
 */
final class PrivateFiles {
  private static final Logger log = LoggerFactory.getLogger(PrivateFiles.class);
  static final Set<PosixFilePermission> DIRECTORY = PosixFilePermissions.fromString("rwx------");
  static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");
  private static final FileAttribute<Set<PosixFilePermission>> DIRECTORY_ATTR =
      PosixFilePermissions.asFileAttribute(DIRECTORY);
  private static final FileAttribute<Set<PosixFilePermission>> FILE_ATTR =
      PosixFilePermissions.asFileAttribute(FILE);

  private static final int STICKY = 01000;

  private PrivateFiles() {}

  /**
   * The state directory the user named: created 0700, or tightened to 0700. A symlink to it is
   * followed (the user chose it); a directory shared by design (sticky bit, like {@code /tmp})
   * or owned by another user is refused rather than taken over.
   */
  static Path root(Path dir) {
    try {
      if (!Files.exists(dir)) {
        Files.createDirectories(dir, DIRECTORY_ATTR);
      }
      Path real = dir.toRealPath();
      int mode = (Integer) Files.getAttribute(real, "unix:mode");
      if ((mode & STICKY) != 0) {
        throw new IOException("it is a shared directory (sticky bit, like /tmp); give the operator a"
            + " directory of its own, e.g. " + real.resolve("dustcloud"));
      }
      Object owner = Files.getAttribute(real, "unix:uid");
      Object self = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
      if (!owner.equals(self)) {
        throw new IOException("it is owned by uid " + owner + ", not by uid " + self + " who runs the operator");
      }
      return directory(real);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot use " + dir + " as private state directory: " + e.getMessage(), e);
    }
  }

  /**
   * A directory inside the state tree: created 0700, or tightened to 0700 if it exists looser.
   * A symlink is refused, not followed: one planted while the tree was still open to others
   * could otherwise turn the chmod on a directory outside it.
   */
  static Path directory(Path dir) {
    try {
      if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
        Files.createDirectories(dir, DIRECTORY_ATTR);
      }
      tighten(dir, DIRECTORY);
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create private directory " + dir + ": " + e.getMessage(), e);
    }
  }

  /** Creates an empty {@code file} 0600 unless it exists; an existing one is tightened to 0600. */
  static Path file(Path file) throws IOException {
    try {
      Files.createFile(file, FILE_ATTR);
    } catch (FileAlreadyExistsException e) {
      tighten(file, FILE);
    }
    return file;
  }

  /** A new, empty 0600 {@code file}, replacing whatever was there (a leftover temporary file). */
  static Path fresh(Path file) throws IOException {
    Files.deleteIfExists(file);
    return Files.createFile(file, FILE_ATTR);
  }

  /**
   * Removes group and other permissions. A symlink is not followed: the state tree holds none,
   * and following one could chmod a file outside it.
   */
  private static void tighten(Path p, Set<PosixFilePermission> wanted) throws IOException {
    if (Files.isSymbolicLink(p)) {
      throw new IOException(p + " is a symbolic link; local state must be a real directory or file");
    }
    Set<PosixFilePermission> now = Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS);
    if (!wanted.containsAll(now)) {
      Files.setPosixFilePermissions(p, wanted);
      log.warn("{} was {}, readable or writable by others; tightened to {}", p,
          PosixFilePermissions.toString(now), PosixFilePermissions.toString(wanted));
    }
  }
}
