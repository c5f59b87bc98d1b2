package io.dustcloud.operator;

import io.dustcloud.core.Reason;
import io.dustcloud.provider.FleetProvider;
import java.util.List;
import java.util.Optional;

/**
 * Step 1: is the spec one the operator can act on? Defaults applied, the rules the schema
 * cannot express checked ({@link SpecValidator}), and the provider it names configured here.
 */
final class GateSpec implements ReconcileStep {
  private final ProviderRegistry providers;
  private final java.util.Map<String, io.dustcloud.build.ArtifactResolver> artifacts;

  GateSpec(ProviderRegistry providers, java.util.Map<String, io.dustcloud.build.ArtifactResolver> artifacts) {
    this.providers = providers;
    this.artifacts = artifacts;
  }

  @Override
  public String name() {
    return "gate-spec";
  }

  @Override
  public StepResult run(FleetReconcile r) {
    SpecDefaults.apply(r.spec());
    List<String> problems = SpecValidator.validate(r.spec());
    if (!problems.isEmpty()) {
      return StepResult.stall(Reason.INVALID_SPEC, String.join("; ", problems));
    }
    Optional<FleetProvider> provider = providers.forSpec(r.spec().provider);
    if (provider.isEmpty()) {
      return StepResult.stall(Reason.PROVIDER_NOT_CONFIGURED, "provider '" + ProviderRegistry.nameOf(r.spec().provider)
          + "' is not configured in this operator (configured: " + providers.configuredNames() + ")");
    }
    r.provider = provider.get();
    r.resolver = artifacts.get(r.provider.name());
    return StepResult.CONTINUE;
  }
}
