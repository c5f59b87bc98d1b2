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

/** Checks artifacts against their revision's sha256, shared by every runtime. */
final class ArtifactDigests {
  private record Stamp(FileTime modified, long size) {}

  private record Digest(Stamp stamp, String sha256) {}

  // Hashing on every realize would re-read every artifact; the stamp tells when it changed.
  private final Map<Path, Digest> digests = new ConcurrentHashMap<>();

  /** Why {@code path} is not the artifact {@code image} expects, or null (also when no digest is declared). */
  String mismatch(RevisionImage image, Path path) {
    String expected = image.sha256();
    if (expected == null || expected.isBlank() || Files.isDirectory(path)) {
      return null;
    }
    try {
      String actual = sha256(path);
      if (actual.equalsIgnoreCase(expected)) {
        return null;
      }
      // the actual digest is not named: it would disclose a digest of a file the author may not read
      return "artifact " + path + " does not match the sha256 " + expected + " revision " + image.revision()
          + " expects; revisions are immutable, so a rebuilt artifact needs a new revision";
    } catch (IOException e) {
      return "artifact " + path + " cannot be read: " + e.getMessage();
    }
  }

  String sha256(Path path) throws IOException {
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
