package io.dustcloud.operator;

import io.dustcloud.core.Reason;
import io.dustcloud.core.rollout.RevisionRollout;

/**
 * Step 4: how many instances of each revision should exist now, from the rollout's stored
 * state, its policy, the desired total and what is running and ready ({@link RevisionRollout},
 * pure). The revision the plan moves to must still have an image.
 */
final class PlanRollout implements ReconcileStep {
  @Override
  public String name() {
    return "plan";
  }

  @Override
  public StepResult run(FleetReconcile r) {
    var health = r.snapshot.health();
    r.decision = RevisionRollout.decide(r.latest.getMetadata().getName(),
        r.pinned == null ? null : r.pinned.getMetadata().getName(),
        RolloutStatus.state(r.stored), RolloutStatus.policy(r.spec().rollout), r.snapshot.desiredTotal(),
        FleetCounts.counts(r.observed, health, r.known), FleetCounts.unhealthy(health), r.now);
    String update = r.decision.state().update();
    if (!r.images.containsKey(update)) {
      return StepResult.stall(Reason.REVISION_NOT_FOUND,
          "revision " + update + " is gone (garbage-collected?); retained: " + r.retained());
    }
    return StepResult.CONTINUE;
  }
}
