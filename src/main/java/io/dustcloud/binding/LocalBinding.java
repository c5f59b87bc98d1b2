package io.dustcloud.binding;

import io.dustcloud.api.v1alpha1.LocalProviderSpec;
import io.dustcloud.api.v1alpha1.ProviderSpec;
import io.dustcloud.build.ArtifactResolver;
import io.dustcloud.provider.FleetProvider;
import io.dustcloud.provider.ProviderSettings;
import io.dustcloud.provider.local.LocalSettings;
import java.util.Objects;

/**
 * The local provider: {@code spec.provider.local} (or a spec naming no gce) as {@link
 * LocalSettings}, artifacts from the operator's local store and builder.
 */
public record LocalBinding(FleetProvider provider, ArtifactResolver artifacts) implements ProviderBinding {
  public static final String NAME = "local";

  public LocalBinding {
    Objects.requireNonNull(provider, "provider");
    Objects.requireNonNull(artifacts, "artifacts");
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public ProviderSettings settings(ProviderSpec spec) {
    LocalProviderSpec local = spec == null ? null : spec.local;
    if (local == null) {
      return LocalSettings.DEFAULT;
    }
    return new LocalSettings(local.runtime == null ? null : local.runtime.name(), local.memoryMiB, local.cpus);
  }
}
