package io.dustcloud.provider.local;

import io.dustcloud.provider.RevisionImage;
import java.nio.file.Files;
import java.nio.file.Path;

/** Decides whether an image can be booted by the process runtime. */
final class UnixArtifacts {
  static final String FORMAT = "unix";
  static final String RUNTIME = "process";

  private final ArtifactDigests digests;

  UnixArtifacts(ArtifactDigests digests) {
    this.digests = digests;
  }

  /**
   * Why {@code image} cannot run as a process here, or null. A file that merely lacks the
   * execute bit is fixed rather than refused: artifacts copied or downloaded lose it easily.
   */
  String unsupportedReason(RevisionImage image) {
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
    return digests.mismatch(image, path);
  }

  /** The artifact as an absolute path, so the operator's working directory never matters later. */
  static Path path(RevisionImage image) {
    return Path.of(image.artifact()).toAbsolutePath().normalize();
  }
}
