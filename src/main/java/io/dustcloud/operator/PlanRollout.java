package io.dustcloud.operator;

import io.dustcloud.core.Reason;
import io.dustcloud.core.rollout.RevisionRollout;

/**
 * Step 4: how many instances of each revision should exist now, from the rollout's stored
 * state, its policy, the desired total and what is running and ready ({@link RevisionRollout},
 * pure). The revision the plan moves to must still have an image.
 */
final class PlanRollout implements ReconcileStep {
  private final FleetEvents events;

  PlanRollout(FleetEvents events) {
    this.events = events;
  }

  @Override
  public String name() {
    return "plan";
  }

  @Override
  public StepResult run(FleetReconcile r) {
    var health = r.snapshot.health();
    var counts = FleetCounts.counts(r.observed, health, r.revisions.values());
    // status is a report anyone allowed to write unikernels/status can forge: what it names is
    // checked against this Unikernel's revisions and what runs before the rollout acts on it
    StatusTrust.Verified verified = StatusTrust.verify(RolloutStatus.state(r.stored), r.revisions.keySet(), counts);
    if (!verified.dropped().isEmpty()) {
      events.warning(r.uk, Reason.UNTRUSTED_STATUS, String.join("; ", verified.dropped()));
    }
    r.believed = verified.state();
    r.decision = RevisionRollout.decide(r.latest.getMetadata().getName(),
        r.pinned == null ? null : r.pinned.getMetadata().getName(),
        r.believed, RolloutStatus.policy(r.spec().rollout, r.provider), r.snapshot.desiredTotal(),
        counts, FleetCounts.unhealthy(health), r.now);
    String update = r.decision.state().update();
    if (!r.images.containsKey(update)) {
      return StepResult.stall(Reason.REVISION_NOT_FOUND,
          "revision " + update + " is gone (garbage-collected?); retained: " + r.retained());
    }
    return StepResult.CONTINUE;
  }
}
