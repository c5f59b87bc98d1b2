package io.dustcloud.operator;

import io.dustcloud.api.v1alpha1.UnikernelSpec;
import io.dustcloud.provider.FleetProvider;
import io.dustcloud.supervisor.SupervisionSpec;

/** For benchmarks outside this package: what the reconciler asks the supervisor for, given a spec. */
public final class DefaultSupervision {
  private DefaultSupervision() {}

  /** The supervision of a new fleet with {@code spec} (defaulted here, as the reconciler does), all revisions serving. */
  public static SupervisionSpec of(UnikernelSpec spec, FleetProvider provider) {
    SpecDefaults.apply(spec);
    return SupervisionSpecs.of(spec, null, provider, null);
  }
}
