package io.dustcloud.binding;

import io.dustcloud.api.v1alpha1.GceProviderSpec;
import io.dustcloud.api.v1alpha1.ProviderSpec;
import io.dustcloud.build.ArtifactResolver;
import io.dustcloud.provider.FleetProvider;
import io.dustcloud.provider.ProviderSettings;
import io.dustcloud.provider.gce.GceSettings;
import java.util.Objects;

/**
 * The GCE provider: {@code spec.provider.gce} as {@link GceSettings}, artifacts that are
 * Cloud Storage URLs or built by in-cluster build Jobs.
 */
public record GceBinding(FleetProvider provider, ArtifactResolver artifacts) implements ProviderBinding {
  public static final String NAME = "gce";

  public GceBinding {
    Objects.requireNonNull(provider, "provider");
    Objects.requireNonNull(artifacts, "artifacts");
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public ProviderSettings settings(ProviderSpec spec) {
    GceProviderSpec gce = spec == null ? null : spec.gce;
    if (gce == null) {
      return GceSettings.at(null, null, null);
    }
    return new GceSettings(gce.project, gce.zone, gce.region, gce.machineType, gce.network, gce.subnetwork,
        gce.serviceAccount, gce.tags, gce.labels);
  }
}
