package io.dustcloud.binding;

import io.dustcloud.api.v1alpha1.ProviderSpec;
import io.dustcloud.api.v1alpha1.UnikernelRevision;
import io.dustcloud.api.v1alpha1.UnikernelRevisionSpec;
import io.dustcloud.build.ArtifactResolver;
import io.dustcloud.provider.FleetProvider;
import io.dustcloud.provider.ProviderSettings;
import io.dustcloud.provider.RevisionImage;

/**
 * One provider as the operator uses it: the provider, the resolver that makes artifacts it can
 * boot, and the adapter from the CRD's {@code spec.provider} to the provider's typed settings.
 * Bindings sit beside the providers but outside their Kubernetes-free packages: they are the
 * only place that knows both the CRD and a provider's settings type.
 */
public interface ProviderBinding {

  /** The provider's name as specs, metrics and logs spell it: {@code local}, {@code gce}. */
  String name();

  FleetProvider provider();

  /** Resolves revisions to artifacts this binding's provider can boot. */
  ArtifactResolver artifacts();

  /**
   * The provider's typed settings of {@code spec} (null or another provider's spec gives the
   * provider's defaults); the defaults themselves are applied by the settings record.
   */
  ProviderSettings settings(ProviderSpec spec);

  /**
   * What the provider boots for {@code rev}, whose artifact was resolved to {@code location}
   * with digest {@code sha256}. An unset port is {@link RevisionImage#DEFAULT_PORT}; unset boot
   * arguments are none ({@link RevisionImage}'s constructor).
   */
  default RevisionImage image(UnikernelRevision rev, String location, String sha256) {
    UnikernelRevisionSpec s = rev.getSpec();
    String format = (s.image != null ? s.image.format : s.build.target).name();
    return new RevisionImage(rev.getMetadata().getName(), format, location, sha256, s.bootArgs,
        s.port == null ? RevisionImage.DEFAULT_PORT : s.port, settings(s.provider));
  }
}
