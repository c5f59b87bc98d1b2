package io.dustcloud.build;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The directories whose files the local provider may read as artifacts or build as source. A
 * Unikernel's author names a path; the operator (often root) reads, copies and runs what is
 * there, so a path outside these roots is refused before it is opened: no digest, no copy. Every
 * check is on the real path (links followed, {@code ..} gone) of both the path and the root,
 * so neither a symlink in the tree nor one in the spec leads out.
 */
public final class TrustedRoots {
  private final List<Path> roots;

  /** An empty list trusts nothing: every local file and source is refused. */
  public TrustedRoots(List<Path> roots) {
    this.roots = roots.stream().map(p -> p.toAbsolutePath().normalize()).toList();
  }

  public static TrustedRoots none() {
    return new TrustedRoots(List.of());
  }

  /** The path is outside the trusted roots, or cannot be shown to be inside them. */
  public static final class Untrusted extends Exception {
    Untrusted(String message) {
      super(message);
    }
  }

  /**
   * The real path of {@code path} when it is inside a trusted root.
   *
   * @throws NoSuchFileException when the path is inside a root but does not exist
   * @throws Untrusted when it is not inside any root; the message names the path and the roots
   */
  public Path realPathInside(Path path, String what) throws Untrusted, IOException {
    Path absolute = path.toAbsolutePath().normalize();
    List<Path> real = realRoots();
    Path resolved;
    try {
      resolved = absolute.toRealPath();
    } catch (NoSuchFileException e) {
      // whether a file outside the roots exists is none of the author's business either
      if (real.stream().noneMatch(absolute::startsWith) && roots.stream().noneMatch(absolute::startsWith)) {
        throw untrusted(absolute, what);
      }
      throw e;
    }
    if (real.stream().noneMatch(resolved::startsWith)) {
      throw untrusted(absolute.equals(resolved) ? absolute : Path.of(absolute + " (really " + resolved + ")"), what);
    }
    return resolved;
  }

  private Untrusted untrusted(Path path, String what) {
    return new Untrusted(what + " " + path + " is outside the directories the operator trusts ("
        + (roots.isEmpty() ? "none are configured" : roots.stream().map(Path::toString).reduce((a, b) -> a + ", " + b).get())
        + "); refusing to read it");
  }

  /** Roots as real paths; a root that does not exist (yet) holds nothing and is left out. */
  private List<Path> realRoots() {
    List<Path> real = new ArrayList<>();
    for (Path root : roots) {
      try {
        real.add(root.toRealPath());
      } catch (IOException e) {
        // nothing exists under it, so nothing can be trusted because of it
      }
    }
    return real;
  }

  /**
   * The real path of {@code relative} inside {@code realDir} (itself a real path), or null when
   * it leads out of it ({@code ..}, an absolute path, a symlink) or does not exist.
   */
  static Path realChild(Path realDir, String relative) {
    Path lexical = realDir.resolve(relative).normalize();
    if (!lexical.startsWith(realDir)) {
      return null;
    }
    try {
      Path real = lexical.toRealPath();
      return real.startsWith(realDir) && Files.isRegularFile(real, LinkOption.NOFOLLOW_LINKS) ? real : null;
    } catch (IOException e) {
      return null;
    }
  }

  public List<Path> roots() {
    return roots;
  }

  @Override
  public String toString() {
    return roots.toString();
  }
}
