package io.dustcloud.build;

import io.dustcloud.core.revision.RevisionNaming;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Artifacts on the operator's host, stored by content: {@code root/sha256/<hex>}. A revision
 * runs the stored copy, so editing or rebuilding the original file can never change what an
 * existing revision runs.
 */
public final class LocalArtifactStore {
  private final Path root;

  public LocalArtifactStore(Path root) {
    this.root = root;
  }

  public record Stored(Path path, String sha256) {}

  /**
   * Copies {@code file} into the store (once per content) and returns where it lives. The file
   * is opened once, without following a link in its last component, and the digest is of what
   * was copied: a file swapped while it is read cannot be stored under another's digest.
   */
  public Stored put(Path file) {
    try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
      return put(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Copies what {@code in} holds into the store (once per content). */
  public Stored put(InputStream in) {
    try {
      Path dir = Files.createDirectories(root.resolve("sha256"));
      Path tmp = Files.createTempFile(dir, ".incoming-", "");
      try {
        MessageDigest md = sha256Digest();
        try (var out = new DigestOutputStream(Files.newOutputStream(tmp), md)) {
          in.transferTo(out);
        }
        String sha = HexFormat.of().formatHex(md.digest());
        Path target = pathOf(sha);
        if (!Files.exists(target)) {
          tmp.toFile().setExecutable(true, false);
          tmp.toFile().setWritable(false, false);
          Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        }
        return new Stored(target, sha);
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Records that build {@code key} produced {@code sha256}: the local build index, one file per
   * key under {@code root/keys/}, written atomically so a crash never leaves half an entry.
   */
  public void remember(String key, String sha256) {
    Path entry = keyPath(key);
    pathOf(sha256); // validates
    try {
      Files.createDirectories(entry.getParent());
      Path tmp = Files.createTempFile(entry.getParent(), ".incoming-", "");
      Files.writeString(tmp, sha256 + "\n");
      Files.move(tmp, entry, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The artifact build {@code key} produced, if it was built before and is still stored. */
  public Optional<Stored> lookup(String key) {
    Path entry = keyPath(key);
    if (!Files.isRegularFile(entry)) {
      return Optional.empty();
    }
    try {
      String sha = Files.readString(entry).trim();
      return get(sha).map(p -> new Stored(p, sha));
    } catch (IOException | IllegalArgumentException e) {
      return Optional.empty(); // an unreadable entry only costs a rebuild
    }
  }

  private Path keyPath(String key) {
    if (!io.dustcloud.core.build.BuildKey.isKey(key)) {
      throw new IllegalArgumentException("not a build key: " + key);
    }
    return root.resolve("keys").resolve(key);
  }

  public Optional<Path> get(String sha256) {
    Path p = pathOf(sha256);
    return Files.isRegularFile(p) ? Optional.of(p) : Optional.empty();
  }

  public Path pathOf(String sha256) {
    if (!sha256.matches("[a-f0-9]{64}")) {
      throw new IllegalArgumentException("not a sha256: " + sha256);
    }
    return root.resolve("sha256").resolve(sha256);
  }

  public static String sha256(Path file) throws IOException {
    MessageDigest md = sha256Digest();
    try (InputStream in = new DigestInputStream(Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS), md)) {
      in.transferTo(java.io.OutputStream.nullOutputStream());
    }
    return HexFormat.of().formatHex(md.digest());
  }

  private static MessageDigest sha256Digest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static String sha256(byte[] bytes) {
    return RevisionNaming.sha256Hex(bytes);
  }
}
