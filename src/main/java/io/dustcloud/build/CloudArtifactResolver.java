package io.dustcloud.build;

import io.dustcloud.api.v1alpha1.UnikernelRevisionSpec;

/**
 * Artifacts for cloud providers: a prebuilt image in object storage is used as declared (the
 * provider registers it; the digest is recorded on the revision and names it). Building from
 * source in the cluster is not available yet and says so.
 */
public final class CloudArtifactResolver implements ArtifactResolver {
  public static final String UNSUPPORTED_URL = LocalArtifactResolver.UNSUPPORTED_URL;
  public static final String BUILD_UNAVAILABLE = "InClusterBuildUnavailable";

  @Override
  public ArtifactResolution resolve(String key, UnikernelRevisionSpec spec, String recordedSha256) {
    if (spec.image == null) {
      return new ArtifactResolution.Failed(BUILD_UNAVAILABLE,
          "this operator cannot build from source for cloud providers yet: set spec.image to a built"
              + " artifact (gs://BUCKET/OBJECT.tar.gz and its sha256)");
    }
    String url = spec.image.url;
    if (!url.startsWith("gs://") && !url.startsWith("https://")) {
      return new ArtifactResolution.Failed(UNSUPPORTED_URL,
          "cloud providers read artifacts from gs:// or https:// URLs, not " + url);
    }
    return new ArtifactResolution.Resolved(url, spec.image.sha256, false);
  }
}
