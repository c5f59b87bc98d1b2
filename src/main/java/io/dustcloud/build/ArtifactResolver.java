package io.dustcloud.build;

import io.dustcloud.api.v1alpha1.UnikernelRevisionSpec;

/** Turns a revision's image or build inputs into an artifact its provider can boot. */
public interface ArtifactResolver {
  /**
   * @param key identifies the build (the revision hash: same inputs, same key)
   * @param spec the revision's frozen spec
   * @param recordedSha256 the digest recorded on the revision by an earlier resolution, if any
   */
  ArtifactResolution resolve(String key, UnikernelRevisionSpec spec, String recordedSha256);
}
