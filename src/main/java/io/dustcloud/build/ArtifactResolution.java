package io.dustcloud.build;

/** What resolving a revision's artifact came to. */
public sealed interface ArtifactResolution {
  /** The artifact is available at {@code location} with digest {@code sha256}. */
  record Resolved(String location, String sha256, boolean built) implements ArtifactResolution {}

  /** Still working on it (a build is running). */
  record Pending(String reason, String message) implements ArtifactResolution {}

  /** Cannot resolve without a spec change; {@code reason} is a condition reason. */
  record Failed(String reason, String message) implements ArtifactResolution {}
}
