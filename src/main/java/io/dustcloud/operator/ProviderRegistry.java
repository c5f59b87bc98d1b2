package io.dustcloud.operator;

import io.dustcloud.api.v1alpha1.ProviderSpec;
import io.dustcloud.provider.FleetProvider;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** The providers this operator was configured with, by name. */
public final class ProviderRegistry implements AutoCloseable {
  public static final String LOCAL = "local";
  public static final String GCE = "gce";

  private final Map<String, FleetProvider> providers = new TreeMap<>();

  public ProviderRegistry register(FleetProvider provider) {
    providers.put(provider.name(), provider);
    return this;
  }

  /** The same providers, each wrapped by {@code decorate} (metrics). */
  public ProviderRegistry decorated(java.util.function.UnaryOperator<FleetProvider> decorate) {
    ProviderRegistry out = new ProviderRegistry();
    providers.values().forEach(p -> out.register(decorate.apply(p)));
    return out;
  }

  public static String nameOf(ProviderSpec spec) {
    return spec.gce != null ? GCE : LOCAL;
  }

  public Optional<FleetProvider> forSpec(ProviderSpec spec) {
    return Optional.ofNullable(providers.get(nameOf(spec)));
  }

  public String configuredNames() {
    return providers.isEmpty() ? "none" : String.join(", ", providers.keySet());
  }

  @Override
  public void close() {
    providers.values().forEach(FleetProvider::close);
  }
}
