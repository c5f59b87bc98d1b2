package io.dustcloud.operator;

import io.dustcloud.supervisor.Supervision;
import io.dustcloud.core.Reason;
import io.dustcloud.provider.DesiredFleet;
import io.dustcloud.provider.ProviderException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Step 5: the provider realizes the plan (instances per revision), and the supervisor routes
 * traffic to the revisions the plan serves when that differs from what it was told while
 * observing.
 */
final class ActOnFleet implements ReconcileStep {
  private final Supervision supervision;
  private final FleetEvents events;

  ActOnFleet(Supervision supervision, FleetEvents events) {
    this.supervision = supervision;
    this.events = events;
  }

  @Override
  public String name() {
    return "act";
  }

  @Override
  public StepResult run(FleetReconcile r) {
    Map<String, DesiredFleet.Target> targets = new LinkedHashMap<>();
    r.decision.desired().forEach((rev, n) -> {
      if (r.images.containsKey(rev)) {
        targets.put(rev, new DesiredFleet.Target(r.images.get(rev), n));
      }
    });
    int before = r.observed.instances().size();
    try {
      r.realized = r.provider.realize(new DesiredFleet(r.fleet, targets, SupervisionSpecs.service(r.spec(), r.binding)));
    } catch (ProviderException e) {
      return ProviderFailures.result(r, e);
    }
    if (!Objects.equals(r.supervision.serving(), r.decision.serving())) {
      r.supervision = r.supervision.withServing(r.decision.serving());
      supervision.supervise(r.fleet, r.supervision);
    }
    int after = r.realized.instances().size();
    if (after != before) {
      supervision.instancesChanged(r.fleet);
      events.normal(r.uk, Reason.SCALED,
          "fleet has " + after + " instances (was " + before + "), desired " + r.snapshot.desiredTotal());
    }
    return StepResult.CONTINUE;
  }
}
