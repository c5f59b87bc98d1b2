package io.dustcloud.operator;

import io.dustcloud.core.Reason;
import io.dustcloud.core.autoscale.ScaleDecision;
import io.dustcloud.core.rollout.RolloutDecision;
import io.dustcloud.supervisor.FleetHealth;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Everything one reconcile observed that status is made of: the generation and time, and how
 * the pipeline ended — stalled, progressing, or with a full observation of the fleet.
 * {@link FleetStatus#compute} turns facts (and the previous status) into the next status.
 */
record FleetFacts(long generation, Instant now, Outcome outcome) {
  FleetFacts {
    Objects.requireNonNull(now, "now");
    Objects.requireNonNull(outcome, "outcome");
  }

  sealed interface Outcome {}

  /** The spec cannot be acted on until it changes, or a person acts. */
  record Stalled(Reason reason, String message) implements Outcome {}

  /** Progress that is not a failure, or a failure expected to pass (a retry is scheduled). */
  record Progressing(Reason reason, String message) implements Outcome {}

  /**
   * The fleet as observed after acting.
   *
   * @param target the revision the fleet is moving to (or is on)
   * @param desired the autoscaler's desired total
   * @param running instances that exist per revision
   * @param ready instances passing their health checks per revision
   * @param endpoint the fleet's endpoint, or null
   * @param standby revisions kept warm for rollback after a promotion: counted, not "rolling"
   * @param rollout the rollout decision (state to remember, whether still rolling)
   * @param health the supervisor's view of the instances
   * @param scale the autoscaler's latest decision, or null
   * @param minReplicas the spec's lower bound, for messages
   * @param maxReplicas the spec's upper bound, for messages
   */
  record Observed(String target, int desired, Map<String, Integer> running, Map<String, Integer> ready,
      String endpoint, Set<String> standby, RolloutDecision rollout, FleetHealth health, ScaleDecision scale,
      int minReplicas, int maxReplicas, int awaitingRotation,
      java.util.List<io.dustcloud.provider.CreationProblem> problems) implements Outcome {
    /** Facts of a fleet whose endpoint follows readiness (nothing awaits rotation). */
    Observed(String target, int desired, Map<String, Integer> running, Map<String, Integer> ready, String endpoint,
        Set<String> standby, RolloutDecision rollout, FleetHealth health, ScaleDecision scale, int minReplicas,
        int maxReplicas) {
      this(target, desired, running, ready, endpoint, standby, rollout, health, scale, minReplicas, maxReplicas, 0,
          java.util.List.of());
    }

    Observed {
      problems = problems == null ? java.util.List.of() : java.util.List.copyOf(problems);
      running = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(running));
      ready = Map.copyOf(ready);
      standby = Set.copyOf(standby);
    }

    /** "n of desired instances of target ready", and how many older ones still serve. */
    String updatedReadyMessage(int updatedReady, boolean onlyTarget, int older) {
      return updatedReady + " of " + desired + " instances of " + target + " ready"
          + (onlyTarget ? "" : "; " + older + " instances of older revisions still serving");
    }
  }

  /** The facts of a pipeline that ended with {@code result}. */
  static FleetFacts of(FleetReconcile r, StepResult result) {
    Outcome outcome;
    if (result instanceof StepResult.Stall s) {
      outcome = new Stalled(s.reason(), s.message());
    } else if (result instanceof StepResult.Wait w) {
      outcome = new Progressing(w.reason(), w.message());
    } else {
      outcome = observed(r);
    }
    return new FleetFacts(r.generation, r.now, outcome);
  }

  private static Observed observed(FleetReconcile r) {
    RolloutDecision decision = r.decision;
    String target = decision.state().update();
    Set<String> standby = decision.state().promoted() == null ? Set.of()
        : decision.desired().keySet().stream().filter(rev -> !rev.equals(target)).collect(Collectors.toSet());
    var scaling = r.spec().scaling;
    return new Observed(target, r.snapshot.desiredTotal(), FleetCounts.running(r.realized, r.revisions.values()),
        FleetCounts.ready(r.realized, r.snapshot.health()), r.realized.endpoint().orElse(null), standby, decision,
        r.snapshot.health(), r.snapshot.decision(), scaling.minReplicas, scaling.maxReplicas,
        FleetCounts.awaitingRotation(r.realized, r.snapshot.health()), r.realized.problems());
  }
}
