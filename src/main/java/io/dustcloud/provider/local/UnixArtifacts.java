package io.dustcloud.provider.local;

import io.dustcloud.provider.RevisionImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Decides whether an image can be booted by the process runtime. */
final class UnixArtifacts {
  static final String FORMAT = "unix";
  static final String RUNTIME = "process";

  private record Stamp(FileTime modified, long size) {}

  private record Digest(Stamp stamp, String sha256) {}

  // Hashing on every realize would re-read every binary; the stamp tells when it changed.
  private final Map<Path, Digest> digests = new ConcurrentHashMap<>();

  /**
   * Why {@code image} cannot run as a process here, or null. A file that merely lacks the
   * execute bit is fixed rather than refused: artifacts copied or downloaded lose it easily.
   */
  String unsupportedReason(RevisionImage image) {
    if (!FORMAT.equals(image.format())) {
      return "the local provider's process runtime boots only '" + FORMAT + "' artifacts; '"
          + image.format() + "' needs the qemu runtime, which is not available yet";
    }
    String runtime = image.settings().getOrDefault("runtime", RUNTIME);
    if (!RUNTIME.equals(runtime)) {
      return "the local provider has only the '" + RUNTIME + "' runtime; '" + runtime
          + "' is not available yet";
    }
    Path path = path(image);
    if (!Files.exists(path)) {
      return "artifact " + path + " does not exist";
    }
    if (!Files.isRegularFile(path)) {
      return "artifact " + path + " is not a regular file";
    }
    if (!Files.isExecutable(path) && !(path.toFile().setExecutable(true) && Files.isExecutable(path))) {
      return "artifact " + path + " is not executable and cannot be made executable";
    }
    return digestMismatch(image, path);
  }

  /** The artifact as an absolute path, so the operator's working directory never matters later. */
  static Path path(RevisionImage image) {
    return Path.of(image.artifact()).toAbsolutePath().normalize();
  }

  private String digestMismatch(RevisionImage image, Path path) {
    String expected = image.sha256();
    if (expected == null || expected.isBlank()) {
      return null;
    }
    try {
      String actual = sha256(path);
      if (actual.equalsIgnoreCase(expected)) {
        return null;
      }
      return "artifact " + path + " has sha256 " + actual + " but revision " + image.revision()
          + " expects " + expected + "; revisions are immutable, so a rebuilt artifact needs a new revision";
    } catch (IOException e) {
      return "artifact " + path + " cannot be read: " + e.getMessage();
    }
  }

  private String sha256(Path path) throws IOException {
    Stamp stamp = new Stamp(Files.getLastModifiedTime(path), Files.size(path));
    Digest cached = digests.get(path);
    if (cached != null && cached.stamp().equals(stamp)) {
      return cached.sha256();
    }
    MessageDigest md;
    try {
      md = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
    try (InputStream in = Files.newInputStream(path)) {
      byte[] buf = new byte[64 * 1024];
      for (int n; (n = in.read(buf)) > 0; ) {
        md.update(buf, 0, n);
      }
    }
    String hex = HexFormat.of().formatHex(md.digest());
    digests.put(path, new Digest(stamp, hex));
    return hex;
  }
}
