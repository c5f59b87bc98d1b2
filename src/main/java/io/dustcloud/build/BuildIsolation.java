package io.dustcloud.build;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Who {@code make} runs as. An operator that is not root builds in the source directory as
 * itself. An operator running as root never runs a Makefile as root: whoever can write the
 * source would control what root runs. It drops to an unprivileged user ({@code nobody}) with
 * {@code setpriv}, and since that user cannot (and must not) write a root-owned tree, it builds
 * in a copy: a workspace under {@code workRoot} owned by that user. Root only copies the tree in
 * (without following links, {@link SourceCopy}); what touches the copy once that user owns it
 * runs as that user (make, reading the artifact, removal), so a link or a directory swapped in it
 * can only reach what that user could read or remove anyway.
 */
public final class BuildIsolation {
  /** nobody:nogroup on Debian and most distributions. */
  static final int UNPRIVILEGED_ID = 65534;

  private final Integer dropTo;
  private final Path workRoot;

  private BuildIsolation(Integer dropTo, Path workRoot) {
    this.dropTo = dropTo;
    this.workRoot = workRoot;
  }

  /** For the operator's own user: drops privileges when that user is root. */
  public static BuildIsolation forCurrentUser() {
    return forUid(currentUid(), Path.of(System.getProperty("java.io.tmpdir")));
  }

  /** make in the source directory as the operator's user, whoever that is. */
  static BuildIsolation inPlace() {
    return new BuildIsolation(null, null);
  }

  /** For an operator running as {@code uid}: root drops to nobody and builds in a copy under {@code workRoot}. */
  public static BuildIsolation forUid(int uid, Path workRoot) {
    return new BuildIsolation(uid == 0 ? UNPRIVILEGED_ID : null, workRoot);
  }

  public boolean dropsPrivileges() {
    return dropTo != null;
  }

  static int currentUid() {
    try {
      // /proc/self belongs to the process's effective user
      return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      return "root".equals(System.getProperty("user.name")) ? 0 : -1;
    }
  }

  /** Where one build runs: the directory make runs in, and how to run a command there. */
  public final class Workspace implements AutoCloseable {
    private final Path base;
    final Path dir;
    private final Path home;

    private Workspace(Path base, Path dir, Path home) {
      this.base = base;
      this.dir = dir;
      this.home = home;
    }

    /** {@code make -C dir}, as the build's user. */
    ProcessBuilder make() {
      List<String> make = List.of("make", "-C", dir.toString());
      return base == null ? new ProcessBuilder(make) : as(make);
    }

    /** Stores the artifact, read as the build's user. */
    LocalArtifactStore.Stored store(Path artifact, LocalArtifactStore store) throws IOException, InterruptedException {
      if (base == null) {
        return store.put(artifact);
      }
      Process cat = as(List.of("cat", "--", artifact.toString())).redirectError(ProcessBuilder.Redirect.DISCARD).start();
      LocalArtifactStore.Stored stored;
      try (InputStream in = cat.getInputStream()) {
        stored = store.put(in);
      }
      if (cat.waitFor() != 0) {
        throw new IOException("the build's user could not read " + artifact);
      }
      return stored;
    }

    private ProcessBuilder as(List<String> command) {
      List<String> full = new ArrayList<>(List.of("setpriv", "--reuid=" + dropTo, "--regid=" + dropTo,
          "--clear-groups", "--no-new-privs", "--"));
      full.addAll(command);
      ProcessBuilder pb = new ProcessBuilder(full);
      // nothing of root's environment (tokens, kubeconfig paths) reaches the build
      Map<String, String> env = pb.environment();
      String path = env.getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
      env.clear();
      env.put("PATH", path);
      env.put("HOME", home.toString());
      env.put("TMPDIR", home.toString());
      env.put("LANG", "C.UTF-8");
      return pb;
    }

    /** Removes the copy, as the user who wrote it (a root rm -rf could be led out by a link). */
    @Override
    public void close() {
      if (base == null) {
        return;
      }
      boolean interrupted = false;
      try {
        // nobody empties the two directories it owns; root removes them from its own base
        Process rm = as(List.of("rm", "-rf", "--", dir.toString(), home.toString())).redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        while (true) {
          try {
            rm.waitFor();
            break;
          } catch (InterruptedException e) {
            interrupted = true; // a closing builder still cleans up: rm is quick
          }
        }
        Files.deleteIfExists(dir);
        Files.deleteIfExists(home);
        Files.deleteIfExists(base);
      } catch (IOException e) {
        // a workspace left in the temp directory is untidy, not unsafe
      } finally {
        if (interrupted) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }

  /**
   * A workspace for building {@code realSource}: the source itself, or a copy of it owned by the
   * build's user (made by root without following links, see {@link SourceCopy}).
   */
  Workspace open(Path realSource) throws IOException {
    if (dropTo == null) {
      return new Workspace(null, realSource, null);
    }
    Files.createDirectories(workRoot);
    Path base = Files.createTempDirectory(workRoot, "dustcloud-build-");
    Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwx--x--x"));
    var lookup = base.getFileSystem().getUserPrincipalLookupService();
    SourceCopy copy = new SourceCopy(lookup.lookupPrincipalByName(Integer.toString(dropTo)),
        lookup.lookupPrincipalByGroupName(Integer.toString(dropTo)));
    Path home = Files.createDirectory(base.resolve("home"), PosixFilePermissions.asFileAttribute(
        PosixFilePermissions.fromString("rwx------")));
    copy.handOver(home);
    Path src = Files.createDirectory(base.resolve("src"));
    Workspace workspace = new Workspace(base, src, home);
    try {
      copy.copy(realSource, src);
    } catch (IOException | RuntimeException e) {
      workspace.close();
      throw e;
    }
    return workspace;
  }
}
