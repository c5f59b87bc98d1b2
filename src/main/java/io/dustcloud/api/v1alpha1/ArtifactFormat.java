package io.dustcloud.api.v1alpha1;

/** The unikernel target an artifact was built for. */
public enum ArtifactFormat {
  unix,
  virtio,
  hvt,
  spt
}
