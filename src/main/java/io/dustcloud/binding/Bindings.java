package io.dustcloud.binding;

import io.dustcloud.api.v1alpha1.ProviderSpec;
import io.dustcloud.api.v1alpha1.UnikernelRevision;
import io.dustcloud.build.ArtifactResolver;
import io.dustcloud.provider.FleetProvider;
import io.dustcloud.provider.ProviderSettings;
import io.dustcloud.provider.RevisionImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * The providers this operator was configured with, each bound to its settings adapter and
 * artifact resolver, by name. A provider registered alone ({@link #of}) is bound once the
 * operator has made its resolvers ({@link #bind}); until then it cannot be used.
 */
public final class Bindings implements AutoCloseable {
  private final Map<String, ProviderBinding> bound = new TreeMap<>();
  /** Providers registered without a resolver, with how to bind them. */
  private final Map<String, Unbound> unbound = new TreeMap<>();

  private record Unbound(FleetProvider provider, Function<ArtifactResolvers, ProviderBinding> bind) {}

  public Bindings register(ProviderBinding binding) {
    unbound.remove(binding.name());
    bound.put(binding.name(), binding);
    return this;
  }

  /**
   * Registers {@code provider} by its name ({@code local} or {@code gce}) with that provider's
   * adapter; its resolver is the operator's, given at {@link #bind}.
   */
  public Bindings register(FleetProvider provider) {
    Function<ArtifactResolvers, ProviderBinding> bind = switch (provider.name()) {
      case LocalBinding.NAME -> r -> new LocalBinding(provider, r.local());
      case GceBinding.NAME -> r -> new GceBinding(provider, r.cloud());
      default -> throw new IllegalArgumentException("no binding for a provider named '" + provider.name()
          + "' (known: " + LocalBinding.NAME + ", " + GceBinding.NAME + ")");
    };
    bound.remove(provider.name());
    unbound.put(provider.name(), new Unbound(provider, bind));
    return this;
  }

  /** The providers, each bound by its name ({@code local}, {@code gce}) once the operator has its resolvers. */
  public static Bindings of(FleetProvider... providers) {
    Bindings out = new Bindings();
    for (FleetProvider p : providers) {
      out.register(p);
    }
    return out;
  }

  /** These bindings, with every provider registered alone bound to {@code resolvers}. */
  public Bindings bind(ArtifactResolvers resolvers) {
    Bindings out = new Bindings();
    bound.values().forEach(out::register);
    unbound.values().forEach(u -> out.register(u.bind().apply(resolvers)));
    return out;
  }

  /** The same bindings, each provider wrapped by {@code decorate} (metrics). */
  public Bindings decorated(UnaryOperator<FleetProvider> decorate) {
    Bindings out = new Bindings();
    bound.values().forEach(b -> out.register(new Decorated(b, decorate.apply(b.provider()))));
    unbound.forEach((name, u) -> {
      FleetProvider wrapped = decorate.apply(u.provider());
      out.unbound.put(name, new Unbound(wrapped, r -> new Decorated(u.bind().apply(r), wrapped)));
    });
    return out;
  }

  /** Which provider a spec names: {@code gce} when it has a gce section, else {@code local}. */
  public static String nameOf(ProviderSpec spec) {
    return spec.gce != null ? GceBinding.NAME : LocalBinding.NAME;
  }

  /** The binding of the provider {@code spec} names, if this operator has it. */
  public Optional<ProviderBinding> forSpec(ProviderSpec spec) {
    Optional<ProviderBinding> found = Optional.ofNullable(bound.get(nameOf(spec)));
    if (found.isEmpty() && unbound.containsKey(nameOf(spec))) {
      throw new IllegalStateException("provider '" + nameOf(spec) + "' has no artifact resolver yet (call bind)");
    }
    return found;
  }

  /** Every binding, by name. */
  public List<ProviderBinding> all() {
    return List.copyOf(bound.values());
  }

  public String configuredNames() {
    List<String> names = new ArrayList<>(bound.keySet());
    names.addAll(unbound.keySet());
    return names.isEmpty() ? "none" : String.join(", ", new java.util.TreeSet<>(names));
  }

  @Override
  public void close() {
    bound.values().forEach(b -> b.provider().close());
    unbound.values().forEach(u -> u.provider().close());
  }

  /** A binding whose provider is wrapped (metrics); everything else is the original's. */
  private record Decorated(ProviderBinding original, FleetProvider provider) implements ProviderBinding {
    @Override
    public String name() {
      return original.name();
    }

    @Override
    public ArtifactResolver artifacts() {
      return original.artifacts();
    }

    @Override
    public ProviderSettings settings(ProviderSpec spec) {
      return original.settings(spec);
    }

    @Override
    public RevisionImage image(UnikernelRevision rev, String location, String sha256) {
      return original.image(rev, location, sha256);
    }
  }
}
