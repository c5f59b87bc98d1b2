package io.dustcloud.build;

import io.dustcloud.core.revision.RevisionNaming;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The content hash of a local source tree, so that editing a source file changes the build
 * key. What a build writes must not count, or every build would change its own key: the
 * declared artifact, {@code .git/}, {@code _build/} (dune) and whatever {@code .dustcloudignore}
 * lists (one relative path or directory per line; {@code #} comments) are left out.
 */
public final class SourceTree {
  static final String IGNORE_FILE = ".dustcloudignore";
  private static final List<String> ALWAYS_IGNORED = List.of(".git", "_build");

  private SourceTree() {}

  /** SHA-256 over each counted file's relative path, executable bit and content, in path order. */
  public static String hash(Path root, String artifact) {
    List<String> ignored = new ArrayList<>(ALWAYS_IGNORED);
    ignored.add(normalize(artifact));
    ignored.addAll(ignoreFile(root));
    StringBuilder manifest = new StringBuilder();
    try (Stream<Path> files = Files.walk(root)) {
      List<Path> sorted = files
          .filter(p -> !p.equals(root))
          .filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) || Files.isSymbolicLink(p))
          .filter(p -> !isIgnored(root.relativize(p), ignored))
          .sorted()
          .toList();
      for (Path p : sorted) {
        String rel = root.relativize(p).toString().replace('\\', '/');
        manifest.append(rel).append('\0').append(entry(p)).append('\n');
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return RevisionNaming.sha256Hex(manifest.toString().getBytes(StandardCharsets.UTF_8));
  }

  private static String entry(Path p) throws IOException {
    if (Files.isSymbolicLink(p)) {
      return "link:" + Files.readSymbolicLink(p); // the link itself, never what it points to
    }
    return (Files.isExecutable(p) ? "x:" : "f:") + LocalArtifactStore.sha256(p);
  }

  private static boolean isIgnored(Path relative, List<String> ignored) {
    String rel = relative.toString().replace('\\', '/');
    for (String i : ignored) {
      if (!i.isEmpty() && (rel.equals(i) || rel.startsWith(i + "/"))) {
        return true;
      }
    }
    return false;
  }

  private static List<String> ignoreFile(Path root) {
    Path file = root.resolve(IGNORE_FILE);
    // a link named .dustcloudignore would have the operator read whatever it points to
    if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
      return List.of();
    }
    try {
      return Files.readAllLines(file, StandardCharsets.UTF_8).stream()
          .map(String::trim)
          .filter(l -> !l.isEmpty() && !l.startsWith("#"))
          .map(SourceTree::normalize)
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String normalize(String path) {
    String p = path.replace('\\', '/');
    while (p.startsWith("./")) {
      p = p.substring(2);
    }
    return p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
  }
}
