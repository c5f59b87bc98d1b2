package io.dustcloud.binding;

import io.dustcloud.api.v1alpha1.GceProviderSpec;
import io.dustcloud.api.v1alpha1.ProviderSpec;
import io.dustcloud.build.ArtifactResolver;
import io.dustcloud.provider.FleetProvider;
import io.dustcloud.provider.ProviderSettings;
import io.dustcloud.provider.gce.GceSettings;
import io.dustcloud.provider.gce.LoadBalancerSettings;
import io.dustcloud.api.v1alpha1.LoadBalancerSpec;
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
        gce.serviceAccount, gce.tags, gce.labels, loadBalancer(gce.loadBalancer));
  }

  private static LoadBalancerSettings loadBalancer(LoadBalancerSpec lb) {
    if (lb == null) {
      return LoadBalancerSettings.DEFAULT;
    }
    LoadBalancerSettings.Type type = switch (lb.type == null ? LoadBalancerSpec.Type.External : lb.type) {
      case External -> LoadBalancerSettings.Type.EXTERNAL;
      case Internal -> LoadBalancerSettings.Type.INTERNAL;
      case None -> LoadBalancerSettings.Type.NONE;
    };
    return new LoadBalancerSettings(type, lb.port, lb.sourceRanges,
        lb.drainingSeconds == null ? LoadBalancerSettings.DEFAULT_DRAINING_SECONDS : lb.drainingSeconds);
  }
}
