package io.dustcloud.build;

import io.dustcloud.core.Reason;
/** What resolving a revision's artifact came to. */
public sealed interface ArtifactResolution {
  /**
   * The artifact is available at {@code location} with digest {@code sha256}.
   *
   * @param built whether a build produced it just now (false: prebuilt, or reused by key)
   * @param buildKey the build key that names it (docs/builds.md); null for prebuilt images
   */
  record Resolved(String location, String sha256, boolean built, String buildKey) implements ArtifactResolution {
    public Resolved(String location, String sha256, boolean built) {
      this(location, sha256, built, null);
    }
  }

  /** Still working on it (a build is running). */
  record Pending(Reason reason, String message) implements ArtifactResolution {}

  /** Cannot resolve without a spec change; {@code reason} is a condition reason. */
  record Failed(Reason reason, String message) implements ArtifactResolution {}
}
