package io.dustcloud.build;

import io.dustcloud.core.Reason;
import io.dustcloud.api.v1alpha1.UnikernelRevision;
import io.dustcloud.api.v1alpha1.UnikernelRevisionSpec;

/**
 * Artifacts for cloud providers: a prebuilt image in object storage is used as declared (the
 * provider registers it; the digest is recorded on the revision and names it); Git source is
 * built in the cluster by {@code inCluster} (a Job per build key), when configured.
 */
public final class CloudArtifactResolver implements ArtifactResolver {

  private final ArtifactResolver inCluster;

  /** Without in-cluster builds: spec.build is refused. */
  public CloudArtifactResolver() {
    this(null);
  }

  public CloudArtifactResolver(ArtifactResolver inCluster) {
    this.inCluster = inCluster;
  }

  @Override
  public ArtifactResolution resolve(UnikernelRevision revision) {
    UnikernelRevisionSpec spec = revision.getSpec();
    if (spec.build != null && spec.build.git != null && inCluster != null) {
      return inCluster.resolve(revision);
    }
    return ArtifactResolver.super.resolve(revision);
  }

  @Override
  public String cancel(UnikernelRevision revision) {
    return inCluster == null ? null : inCluster.cancel(revision);
  }

  @Override
  public ArtifactResolution resolve(String key, UnikernelRevisionSpec spec, String recordedSha256) {
    if (spec.image == null) {
      if (spec.build != null && spec.build.source != null) {
        return new ArtifactResolution.Failed(Reason.IN_CLUSTER_BUILD_UNAVAILABLE,
            "spec.build.source is built on the operator's host for the local provider; cloud providers"
                + " build spec.build.git in the cluster, or run spec.image");
      }
      return new ArtifactResolution.Failed(Reason.IN_CLUSTER_BUILD_UNAVAILABLE,
          "this operator cannot build from source for cloud providers: in-cluster builds are not"
              + " configured; set spec.image to a built artifact (gs://BUCKET/OBJECT.tar.gz and its sha256)");
    }
    String url = spec.image.url;
    if (!url.startsWith("gs://") && !url.startsWith("https://")) {
      return new ArtifactResolution.Failed(Reason.UNSUPPORTED_ARTIFACT_URL,
          "cloud providers read artifacts from gs:// or https:// URLs, not " + url);
    }
    return new ArtifactResolution.Resolved(url, spec.image.sha256, false);
  }
}
