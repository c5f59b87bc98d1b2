package io.dustcloud.build;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.UserPrincipal;
import java.util.Set;

/**
 * Copies a source tree for a build that runs as another user, as root, without being led out of
 * the tree. Whoever owns the source can change it while it is copied: every directory is opened
 * relative to its parent without following links ({@link SecureDirectoryStream}, openat with
 * O_NOFOLLOW), links are copied as links, and only directories and regular files are copied
 * (a device or a FIFO is not source). The copy is handed to the build user bottom-up: a
 * directory changes owner only after everything in it, so the build user can never swap a
 * directory the copy still writes into or changes the owner in.
 */
final class SourceCopy {
  private final UserPrincipal owner;
  private final GroupPrincipal group;

  SourceCopy(UserPrincipal owner, GroupPrincipal group) {
    this.owner = owner;
    this.group = group;
  }

  /** Copies the content of {@code source} into the empty directory {@code target}, then hands target over. */
  void copy(Path source, Path target) throws IOException {
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(source)) {
      if (!(stream instanceof SecureDirectoryStream<Path> dir)) {
        throw new IOException("this platform cannot copy a source tree without following links");
      }
      copyInto(dir, target);
    }
    handOver(target);
  }

  private void copyInto(SecureDirectoryStream<Path> dir, Path target) throws IOException {
    for (Path entry : dir) {
      Path name = entry.getFileName();
      PosixFileAttributes a =
          dir.getFileAttributeView(name, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS).readAttributes();
      Path to = target.resolve(name.toString());
      if (a.isSymbolicLink()) {
        // the link text only, never its target: the build user follows it with its own rights
        Files.createSymbolicLink(to, Files.readSymbolicLink(entry));
        handOver(to);
      } else if (a.isDirectory()) {
        Files.createDirectory(to);
        try (SecureDirectoryStream<Path> sub = dir.newDirectoryStream(name, LinkOption.NOFOLLOW_LINKS)) {
          copyInto(sub, to);
        }
        Files.setPosixFilePermissions(to, a.permissions());
        handOver(to);
      } else if (a.isRegularFile()) {
        try (InputStream in = Channels.newInputStream(
                dir.newByteChannel(name, Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)));
            OutputStream out = Files.newOutputStream(to, StandardOpenOption.CREATE_NEW)) {
          in.transferTo(out);
        }
        Files.setPosixFilePermissions(to, a.permissions());
        handOver(to);
      }
    }
  }

  void handOver(Path p) throws IOException {
    PosixFileAttributeView view = Files.getFileAttributeView(p, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
    view.setOwner(owner);
    view.setGroup(group);
  }
}
