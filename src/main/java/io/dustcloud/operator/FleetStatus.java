package io.dustcloud.operator;

import io.dustcloud.api.v1alpha1.UnikernelStatus;
import io.dustcloud.core.Reason;
import io.dustcloud.core.autoscale.ScaleDecision;
import io.dustcloud.core.rollout.RolloutState;
import io.dustcloud.supervisor.FleetHealth;
import java.time.Instant;
import java.util.Map;

/**
 * The one function that computes a Unikernel's status: from the facts of a reconcile and the
 * previous status, the whole next status — every field and every condition, each condition set
 * once. Pure: no clock but the facts', no API; {@code lastTransitionTime} moves only when a
 * condition's status flips ({@link StatusConditions}). The reconciler writes the result only
 * when it differs from what is stored, and derives Events from the difference
 * ({@link StatusEvents}).
 */
final class FleetStatus {
  static final int MAX_LISTED_UNHEALTHY = 10;
  static final String NOT_TRIED_AGAIN = " (not tried again until the spec changes)";

  private FleetStatus() {}

  /** A condition's next value: status, reason and message. */
  private record Value(String status, Reason reason, String message) {}

  static UnikernelStatus compute(UnikernelStatus previous, FleetFacts facts) {
    UnikernelStatus s = previous == null ? new UnikernelStatus() : Json.copy(previous, UnikernelStatus.class);
    s.observedGeneration = facts.generation();
    if (facts.outcome() instanceof FleetFacts.Stalled st) {
      // nothing will change until the spec does: not Ready, not Reconciling
      set(s, facts, Conditions.STALLED, new Value(Conditions.TRUE, st.reason(), st.message()));
      set(s, facts, Conditions.READY, new Value(Conditions.FALSE, st.reason(), st.message()));
      set(s, facts, Conditions.RECONCILING, new Value(Conditions.FALSE, st.reason(), "waiting for a spec change"));
    } else if (facts.outcome() instanceof FleetFacts.Progressing p) {
      set(s, facts, Conditions.STALLED, new Value(Conditions.FALSE, p.reason(), ""));
      set(s, facts, Conditions.RECONCILING, new Value(Conditions.TRUE, p.reason(), p.message()));
      set(s, facts, Conditions.READY, new Value(Conditions.FALSE, p.reason(), p.message()));
    } else {
      observed(s, previous, (FleetFacts.Observed) facts.outcome(), facts);
    }
    return s;
  }

  private static void observed(UnikernelStatus s, UnikernelStatus previous, FleetFacts.Observed o, FleetFacts facts) {
    RolloutState rollout = o.rollout().state();
    int replicas = sum(o.running().values());
    int kept = o.standby().stream().filter(r -> !r.equals(o.target())).mapToInt(r -> o.running().getOrDefault(r, 0)).sum();
    // ready instances that serve: a revision kept warm after a promotion is ready but has no traffic
    int readyTotal = o.ready().entrySet().stream()
        .filter(e -> e.getKey().equals(o.target()) || !o.standby().contains(e.getKey()))
        .mapToInt(Map.Entry::getValue).sum();
    int updated = o.running().getOrDefault(o.target(), 0);
    int updatedReady = o.ready().getOrDefault(o.target(), 0);
    boolean onlyTarget = replicas - kept == updated;
    boolean converged = onlyTarget && updated == o.desired() && updatedReady == o.desired();
    FleetHealth health = o.health();
    String suspended = health.suspended();

    // fields
    s.updateRevision = rollout.update();
    s.currentRevision = currentRevision(previous, o, rollout, converged);
    s.lastGoodRevision = rollout.lastGood();
    s.failedRevision = rollout.failed();
    s.previousRevision = rollout.previous();
    s.rolloutStartTime = rollout.rolloutStarted() == null ? null : rollout.rolloutStarted().toString();
    s.promotedTime = rollout.promoted() == null ? null : rollout.promoted().toString();
    s.replicas = replicas;
    s.readyReplicas = readyTotal;
    s.updatedReplicas = updated;
    s.desiredReplicas = o.desired();
    s.replicasSummary = readyTotal + "/" + o.desired();
    s.endpoint = o.endpoint();
    s.unhealthyReplicas = health.unhealthy().size();
    s.restarts = health.repairs();
    s.unhealthyInstances = health.unhealthy().isEmpty() ? null : health.unhealthy().stream()
        .limit(MAX_LISTED_UNHEALTHY).map(FleetStatus::unhealthyInstance).toList();
    Integer before = previous == null ? null : previous.desiredReplicas;
    if (before != null && before != o.desired()) {
      s.lastScaleTime = facts.now().toString();
      s.lastScaleReason = o.scale() != null && o.scale().desired() == o.desired() ? o.scale().reason()
          : "scaling bounds are " + o.minReplicas() + ".." + o.maxReplicas();
    }

    // conditions: each decided once, in one place
    Value cannotCreate = o.problems().isEmpty() ? null : creation(o.problems());
    String counted = o.updatedReadyMessage(updatedReady, onlyTarget, replicas - updated - kept);
    // while instances cannot be created, what keeps the fleet from Ready is that, not "starting":
    // the reason and GCE's words go on Ready and Reconciling too, where kstatus and kubectl wait look
    String cause = cannotCreate == null ? "" : "; " + cannotCreate.message();
    String progress = converged ? counted : counted + cause;
    Reason notYet = cannotCreate != null ? cannotCreate.reason()
        : onlyTarget ? Reason.INSTANCES_STARTING : Reason.ROLLING_OUT;
    Value rolledBack = rolledBack(previous, o);
    // stalled: the spec as applied will not be reached without a person; then not Ready and not
    // Reconciling (kstatus reads Reconciling first: both True would say InProgress, not Failed)
    Value stall = suspended != null ? new Value(Conditions.TRUE, Reason.REPAIRS_SUSPENDED, suspended)
        : rollout.failed() != null ? new Value(Conditions.TRUE, Reason.ROLLED_BACK,
            rolledBack.message() + "; " + serving(o, readyTotal))
        : o.rollout().deadlineMissed() != null
            ? new Value(Conditions.TRUE, Reason.PROGRESS_DEADLINE_EXCEEDED, o.rollout().deadlineMissed())
        : null;
    set(s, facts, Conditions.STALLED, stall != null ? stall : new Value(Conditions.FALSE, Reason.RECONCILED, ""));
    set(s, facts, Conditions.READY, stall != null ? new Value(Conditions.FALSE, stall.reason(), stall.message())
        : converged ? new Value(Conditions.TRUE, Reason.FLEET_READY, progress)
        : new Value(Conditions.FALSE, notYet, progress));
    set(s, facts, Conditions.RECONCILING, stall != null
        ? new Value(Conditions.FALSE, stall.reason(), "stalled until the spec changes or a person acts")
        : o.rollout().rolling() ? new Value(Conditions.TRUE,
            cannotCreate == null ? Reason.ROLLING_OUT : cannotCreate.reason(), o.rollout().step().progress() + cause)
        : converged ? new Value(Conditions.FALSE, Reason.FLEET_READY, progress)
        : new Value(Conditions.TRUE, notYet, progress));
    set(s, facts, Conditions.AVAILABLE, readyTotal > 0 || o.desired() == 0
        ? new Value(Conditions.TRUE, Reason.INSTANCES_AVAILABLE,
            readyTotal + " instances serving" + (o.endpoint() == null ? "" : " at " + o.endpoint()))
        : new Value(Conditions.FALSE, Reason.NO_INSTANCES_READY, o.awaitingRotation() == 0
            ? "no instance is passing its health check yet"
            : o.awaitingRotation() + " instances pass the operator's probes but not yet the load balancer's health"
                + " check, so they receive no traffic; if this lasts, check that the firewall admits Google's"
                + " health-check ranges (35.191.0.0/16, 130.211.0.0/22) to the serving port"));
    if (rolledBack != null) {
      set(s, facts, Conditions.ROLLED_BACK, rolledBack);
    }
    set(s, facts, Conditions.DEGRADED, cannotCreate == null ? degraded(health) : cannotCreate);
    set(s, facts, Conditions.SCALING_LIMITED, scalingLimited(o));
  }

  /**
   * The revision serving now: what the rollout remembers as current; else the target once the
   * fleet converged on it, or when nothing of the previous current revision runs any more.
   */
  private static String currentRevision(UnikernelStatus previous, FleetFacts.Observed o, RolloutState rollout,
      boolean converged) {
    if (rollout.current() != null) {
      return rollout.current();
    }
    String was = previous == null ? null : previous.currentRevision;
    return converged || was == null || o.running().getOrDefault(was, 0) == 0 ? o.target() : was;
  }

  /**
   * What serves after a rollback, without live numbers (they would rewrite the status on every
   * change of readiness): the revision the fleet is on, or that nothing serves yet.
   */
  private static String serving(FleetFacts.Observed o, int readyTotal) {
    return readyTotal > 0 ? o.target() + " serves" : "nothing serves yet: " + o.target() + " is starting";
  }

  /**
   * RolledBack: True while a failed revision is remembered. Its message is composed once, when
   * the rollback happens, and carried as it is after that (the rollout state reads it back as
   * the failure's reason): composing it again from itself made it grow on every resync.
   */
  private static Value rolledBack(UnikernelStatus previous, FleetFacts.Observed o) {
    RolloutState r = o.rollout().state();
    if (r.failed() != null) {
      String fresh = o.rollout().rolledBack();
      String message = fresh == null && r.failureReason() != null ? r.failureReason()
          : "rolled back from " + r.failed() + " to " + r.update() + ": "
              + (fresh != null ? fresh : "no reason recorded") + NOT_TRIED_AGAIN;
      return new Value(Conditions.TRUE, Reason.ROLLED_BACK, message);
    }
    boolean had = previous != null && StatusConditions.find(previous.conditions, Conditions.ROLLED_BACK) != null;
    return had ? new Value(Conditions.FALSE, Reason.NOT_ROLLED_BACK, "") : null;
  }

  /**
   * Instances the backend cannot create, in its words: the first problem's kind is the reason
   * (quota, stockout, permission); the message names how many, GCE's code and text, and that
   * GCE keeps trying. No live numbers beyond the count, so a stuck fleet does not rewrite status.
   */
  private static Value creation(java.util.List<io.dustcloud.provider.CreationProblem> problems) {
    var first = problems.get(0);
    long instances = problems.stream().map(io.dustcloud.provider.CreationProblem::instance).distinct().count();
    return new Value(Conditions.TRUE, CreationReasons.of(first.code()), instances
        + " instance(s) cannot be created; " + first.code() + ": " + first.message()
        + " (the provider keeps trying to create them)");
  }

  private static Value degraded(FleetHealth health) {
    if (health.suspended() != null) {
      return new Value(Conditions.TRUE, Reason.REPAIRS_SUSPENDED, health.suspended());
    }
    if (!health.crashLoops().isEmpty()) {
      // retried forever with a growing delay: Degraded (and Reconciling), never Stalled
      return new Value(Conditions.TRUE, Reason.CRASH_LOOP_BACK_OFF, health.crashLoops().get(0).message());
    }
    if (!health.unhealthy().isEmpty()) {
      var first = health.unhealthy().get(0);
      return new Value(Conditions.TRUE, Reason.INSTANCES_UNHEALTHY, health.unhealthy().size() + " unhealthy; "
          + first.instanceId() + ": " + first.reason() + (health.waiting() == null ? "" : "; " + health.waiting()));
    }
    return new Value(Conditions.FALSE, Reason.INSTANCES_HEALTHY, "");
  }

  /** Messages carry no live numbers, so an idle fleet at its bounds does not rewrite status. */
  private static Value scalingLimited(FleetFacts.Observed o) {
    ScaleDecision d = o.scale();
    if (d != null && d.cap() == ScaleDecision.Cap.MIN) {
      return new Value(Conditions.TRUE, Reason.TOO_FEW_REPLICAS,
          "the metric asks for fewer than minReplicas (" + o.minReplicas() + ")");
    }
    if (d != null && d.cap() == ScaleDecision.Cap.MAX) {
      return new Value(Conditions.TRUE, Reason.TOO_MANY_REPLICAS,
          "the metric asks for more than maxReplicas (" + o.maxReplicas() + ")");
    }
    return new Value(Conditions.FALSE, Reason.DESIRED_WITHIN_RANGE, "");
  }

  private static UnikernelStatus.UnhealthyInstance unhealthyInstance(io.dustcloud.core.health.Repair r) {
    UnikernelStatus.UnhealthyInstance u = new UnikernelStatus.UnhealthyInstance();
    u.name = r.instanceId();
    u.revision = r.revision();
    u.reason = r.reason();
    return u;
  }

  private static void set(UnikernelStatus s, FleetFacts facts, String type, Value v) {
    StatusConditions.set(s.conditions, type, v.status(), v.reason(), v.message(), facts.generation(), facts.now());
  }

  private static int sum(java.util.Collection<Integer> values) {
    return values.stream().mapToInt(Integer::intValue).sum();
  }
}
