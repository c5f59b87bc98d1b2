package io.dustcloud.operator;

import io.dustcloud.supervisor.Supervision;
import io.dustcloud.provider.ProviderException;

/**
 * Step 3: what exists and how it is doing. The supervisor is handed the fleet's supervision
 * spec (started if new, its settings updated otherwise) and read back once: health, readiness,
 * boot times and the autoscaler's desired total, which the supervisor alone owns. Then the
 * provider is asked what instances exist.
 */
final class ObserveFleet implements ReconcileStep {
  private final Supervision supervision;

  ObserveFleet(Supervision supervision) {
    this.supervision = supervision;
  }

  @Override
  public String name() {
    return "observe";
  }

  @Override
  public StepResult run(FleetReconcile r) {
    try {
      r.provider.locate(r.fleet, r.binding.settings(r.spec().provider));
      r.supervision = SupervisionSpecs.of(r.spec(), r.stored, r.provider,
          SupervisionSpecs.storedServing(r.stored, r.revisions.keySet()));
      supervision.supervise(r.fleet, r.supervision);
      r.snapshot = supervision.snapshot(r.fleet);
      r.observed = r.provider.observe(r.fleet);
      return StepResult.CONTINUE;
    } catch (ProviderException e) {
      return ProviderFailures.result(r, e);
    }
  }
}
