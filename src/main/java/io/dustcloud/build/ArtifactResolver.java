package io.dustcloud.build;

import io.dustcloud.api.v1alpha1.UnikernelRevision;
import io.dustcloud.api.v1alpha1.UnikernelRevisionSpec;

/** Turns a revision's image or build inputs into an artifact its provider can boot. */
public interface ArtifactResolver {
  /**
   * @param key identifies the revision (its hash); resolvers derive the build key themselves
   * @param spec the revision's frozen spec
   * @param recordedSha256 the digest recorded on the revision by an earlier resolution, if any
   */
  ArtifactResolution resolve(String key, UnikernelRevisionSpec spec, String recordedSha256);

  /**
   * Resolves for a whole revision. Resolvers that act in the cluster (build Jobs owned by the
   * revision, in its namespace) need more than the spec and override this.
   */
  default ArtifactResolution resolve(UnikernelRevision revision) {
    var status = revision.getStatus();
    String recorded = status == null || status.artifact == null ? null : status.artifact.sha256;
    return resolve(revision.getSpec().hash, revision.getSpec(), recorded);
  }

  /**
   * Where the artifact with {@code sha256} is, for a revision whose status recorded it at
   * {@code recordedUrl}. Revision status can be written by others than the operator, so a
   * resolver that keeps artifacts itself answers from the digest alone and ignores the recorded
   * location; the default trusts it (cloud URLs are checked by the provider that reads them).
   * Null: the revision cannot be run from what was recorded.
   */
  default String location(String recordedUrl, String sha256) {
    return recordedUrl;
  }

  /**
   * The revision is going away (its Unikernel is being deleted): stop any build running for it
   * alone. A build other revisions still wait for may be restarted by their next resolve.
   * Returns what was cancelled, for an Event, or null when nothing ran.
   */
  default String cancel(UnikernelRevision revision) {
    return null;
  }
}
