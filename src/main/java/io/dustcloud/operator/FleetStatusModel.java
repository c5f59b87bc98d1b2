package io.dustcloud.operator;

import io.dustcloud.core.Reason;
import io.dustcloud.api.v1alpha1.ScalingSpec;
import io.dustcloud.api.v1alpha1.UnikernelStatus;
import io.dustcloud.core.autoscale.ScaleDecision;
import io.dustcloud.supervisor.FleetHealth;
import java.time.Instant;
import java.util.Map;

/**
 * Computes a Unikernel's status from what was observed. Pure: the reconciler writes the result
 * only when it differs from what is stored.
 */
final class FleetStatusModel {
  static final int MAX_LISTED_UNHEALTHY = 10;

  private FleetStatusModel() {}

  /**
   * @param target the revision the fleet is moving to
   * @param desired instances the fleet should have
   * @param running instances that exist per revision
   * @param ready instances passing health checks per revision
   * @param endpoint the fleet endpoint, or null
   */
  static void apply(
      UnikernelStatus status,
      long generation,
      String target,
      int desired,
      Map<String, Integer> running,
      Map<String, Integer> ready,
      String endpoint,
      Instant now) {
    apply(status, generation, target, desired, running, ready, endpoint, java.util.Set.of(), now);
  }

  /** @param standby revisions kept warm for rollback after a promotion: counted, not "rolling" */
  static void apply(
      UnikernelStatus status,
      long generation,
      String target,
      int desired,
      Map<String, Integer> running,
      Map<String, Integer> ready,
      String endpoint,
      java.util.Set<String> standby,
      Instant now) {
    int replicas = running.values().stream().mapToInt(Integer::intValue).sum();
    int kept = standby.stream().filter(r -> !r.equals(target)).mapToInt(r -> running.getOrDefault(r, 0)).sum();
    int readyTotal = ready.values().stream().mapToInt(Integer::intValue).sum();
    int updated = running.getOrDefault(target, 0);
    int updatedReady = ready.getOrDefault(target, 0);
    boolean onlyTarget = replicas - kept == updated;
    boolean converged = onlyTarget && updated == desired && updatedReady == desired;

    status.observedGeneration = generation;
    status.updateRevision = target;
    if (converged || status.currentRevision == null || running.getOrDefault(status.currentRevision, 0) == 0) {
      status.currentRevision = target;
    }
    status.replicas = replicas;
    status.readyReplicas = readyTotal;
    status.updatedReplicas = updated;
    status.desiredReplicas = desired;
    status.replicasSummary = readyTotal + "/" + desired;
    status.endpoint = endpoint;

    var c = status.conditions;
    StatusConditions.set(c, Conditions.STALLED, Conditions.FALSE, Reason.RECONCILED, "", generation, now);
    if (converged) {
      String msg = desired + " of " + desired + " instances of " + target + " ready";
      StatusConditions.set(c, Conditions.READY, Conditions.TRUE, Reason.FLEET_READY, msg, generation, now);
      StatusConditions.set(c, Conditions.RECONCILING, Conditions.FALSE, Reason.FLEET_READY, msg, generation, now);
    } else {
      Reason reason = onlyTarget ? Reason.INSTANCES_STARTING : Reason.ROLLING_OUT;
      String msg =
          updatedReady + " of " + desired + " instances of " + target + " ready"
              + (onlyTarget ? "" : "; " + (replicas - updated - kept) + " instances of older revisions still serving");
      StatusConditions.set(c, Conditions.READY, Conditions.FALSE, reason, msg, generation, now);
      StatusConditions.set(c, Conditions.RECONCILING, Conditions.TRUE, reason, msg, generation, now);
    }
    if (readyTotal > 0 || desired == 0) {
      StatusConditions.set(c, Conditions.AVAILABLE, Conditions.TRUE, Reason.INSTANCES_AVAILABLE,
          readyTotal + " instances serving" + (endpoint == null ? "" : " at " + endpoint), generation, now);
    } else {
      StatusConditions.set(c, Conditions.AVAILABLE, Conditions.FALSE, Reason.NO_INSTANCES_READY,
          "no instance is passing its health check yet", generation, now);
    }
  }

  /**
   * The autoscaler's part: {@code lastScaleTime} and {@code lastScaleReason} when the desired
   * total changed, and {@code ScalingLimited}. Messages carry no live numbers, so an idle
   * fleet at its minimum does not rewrite status.
   *
   * @param before the desired total status held, or null
   * @param decision the autoscaler's latest decision, or null
   * @return whether the desired total changed
   */
  static boolean scaling(UnikernelStatus status, long generation, Integer before, int desired,
      ScaleDecision decision, ScalingSpec spec, Instant now) {
    var c = status.conditions;
    if (decision != null && decision.cap() == ScaleDecision.Cap.MIN) {
      StatusConditions.set(c, Conditions.SCALING_LIMITED, Conditions.TRUE, Reason.TOO_FEW_REPLICAS,
          "the metric asks for fewer than minReplicas (" + spec.minReplicas + ")", generation, now);
    } else if (decision != null && decision.cap() == ScaleDecision.Cap.MAX) {
      StatusConditions.set(c, Conditions.SCALING_LIMITED, Conditions.TRUE, Reason.TOO_MANY_REPLICAS,
          "the metric asks for more than maxReplicas (" + spec.maxReplicas + ")", generation, now);
    } else {
      StatusConditions.set(c, Conditions.SCALING_LIMITED, Conditions.FALSE, Reason.DESIRED_WITHIN_RANGE,
          "", generation, now);
    }
    if (before == null || before == desired) {
      return false;
    }
    status.lastScaleTime = now.toString();
    status.lastScaleReason = decision != null && decision.desired() == desired ? decision.reason()
        : "scaling bounds are " + spec.minReplicas + ".." + spec.maxReplicas;
    return true;
  }

  /** Unhealthy instances, repairs, and whether repairs had to stop. */
  static void health(UnikernelStatus status, long generation, FleetHealth health, Instant now) {
    var c = status.conditions;
    status.unhealthyReplicas = health.unhealthy().size();
    status.restarts = health.repairs();
    status.unhealthyInstances = health.unhealthy().isEmpty() ? null : health.unhealthy().stream()
        .limit(MAX_LISTED_UNHEALTHY)
        .map(r -> {
          UnikernelStatus.UnhealthyInstance u = new UnikernelStatus.UnhealthyInstance();
          u.name = r.instanceId();
          u.revision = r.revision();
          u.reason = r.reason();
          return u;
        })
        .toList();
    if (health.suspended() != null) {
      StatusConditions.set(c, Conditions.DEGRADED, Conditions.TRUE, Reason.REPAIRS_SUSPENDED,
          health.suspended(), generation, now);
      // repairs stopped: nothing the operator does will fix this without a person
      StatusConditions.set(c, Conditions.STALLED, Conditions.TRUE, Reason.REPAIRS_SUSPENDED,
          health.suspended(), generation, now);
      StatusConditions.set(c, Conditions.READY, Conditions.FALSE, Reason.REPAIRS_SUSPENDED,
          health.suspended(), generation, now);
    } else if (!health.unhealthy().isEmpty()) {
      var first = health.unhealthy().get(0);
      StatusConditions.set(c, Conditions.DEGRADED, Conditions.TRUE, Reason.INSTANCES_UNHEALTHY,
          health.unhealthy().size() + " unhealthy; " + first.instanceId() + ": " + first.reason()
              + (health.waiting() == null ? "" : "; " + health.waiting()), generation, now);
    } else {
      StatusConditions.set(c, Conditions.DEGRADED, Conditions.FALSE, Reason.INSTANCES_HEALTHY,
          "", generation, now);
    }
  }

  /** A condition set for a spec the operator cannot act on: Stalled, not Ready, not Reconciling. */
  static void stalled(UnikernelStatus status, long generation, Reason reason, String message, Instant now) {
    status.observedGeneration = generation;
    var c = status.conditions;
    StatusConditions.set(c, Conditions.STALLED, Conditions.TRUE, reason, message, generation, now);
    StatusConditions.set(c, Conditions.READY, Conditions.FALSE, reason, message, generation, now);
    StatusConditions.set(c, Conditions.RECONCILING, Conditions.FALSE, reason, "waiting for a spec change", generation, now);
  }

  /** Progress that is not a failure (an artifact being built). */
  static void progressing(UnikernelStatus status, long generation, Reason reason, String message, Instant now) {
    status.observedGeneration = generation;
    var c = status.conditions;
    StatusConditions.set(c, Conditions.STALLED, Conditions.FALSE, reason, "", generation, now);
    StatusConditions.set(c, Conditions.RECONCILING, Conditions.TRUE, reason, message, generation, now);
    StatusConditions.set(c, Conditions.READY, Conditions.FALSE, reason, message, generation, now);
  }
}
