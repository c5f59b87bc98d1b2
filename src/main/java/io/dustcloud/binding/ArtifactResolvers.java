package io.dustcloud.binding;

import io.dustcloud.build.ArtifactResolver;
import java.util.Objects;

/**
 * The artifact resolvers the wiring made for the operator (they need its Kubernetes client,
 * Event recorder and state directory), handed to the bindings that were registered by
 * provider alone ({@link Bindings#of}).
 *
 * @param local the local store and builder, for the local provider
 * @param cloud Cloud Storage URLs and in-cluster build Jobs, for GCE
 */
public record ArtifactResolvers(ArtifactResolver local, ArtifactResolver cloud) {
  public ArtifactResolvers {
    Objects.requireNonNull(local, "local");
    Objects.requireNonNull(cloud, "cloud");
  }
}
