package io.dustcloud.operator;

import io.dustcloud.core.Reason;
import static org.assertj.core.api.Assertions.assertThat;

import io.dustcloud.api.v1alpha1.Condition;
import io.dustcloud.api.v1alpha1.UnikernelStatus;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import io.dustcloud.core.autoscale.ScaleDecision;
import io.dustcloud.core.rollout.RolloutDecision;
import io.dustcloud.core.rollout.RolloutState;
import io.dustcloud.core.rollout.RolloutStep;
import io.dustcloud.supervisor.FleetHealth;
import org.junit.jupiter.api.Test;

/** The one status function, {@link FleetStatus#compute}, step by step over facts. */
class FleetStatusTest {
  static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");
  static final String ENDPOINT = "127.0.0.1:40000";

  UnikernelStatus status = new UnikernelStatus();

  /** The facts of a fleet fully on {@code target} as far as the rollout is concerned. */
  static FleetFacts observed(long generation, String target, int desired, Map<String, Integer> running,
      Map<String, Integer> ready, String endpoint, Instant now, FleetHealth health, ScaleDecision scale) {
    RolloutDecision rollout = new RolloutDecision(
        new RolloutState(null, target, null, null, null, null, null, null),
        new RolloutStep(Map.of(target, desired), true, ""), Set.of(target), null, null);
    return new FleetFacts(generation, now, new FleetFacts.Observed(target, desired, running, ready, endpoint, Set.of(),
        rollout, health, scale, 1, 10));
  }

  void apply(long generation, String target, int desired, Map<String, Integer> running, Map<String, Integer> ready,
      String endpoint, Instant now) {
    status = FleetStatus.compute(status, observed(generation, target, desired, running, ready, endpoint, now,
        FleetHealth.EMPTY, null));
  }

  void stalled(long generation, Reason reason, String message, Instant now) {
    status = FleetStatus.compute(status, new FleetFacts(generation, now, new FleetFacts.Stalled(reason, message)));
  }

  void progressing(long generation, Reason reason, String message, Instant now) {
    status = FleetStatus.compute(status, new FleetFacts(generation, now, new FleetFacts.Progressing(reason, message)));
  }

  static Map<String, Integer> m(Object... kv) {
    Map<String, Integer> map = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      map.put((String) kv[i], (Integer) kv[i + 1]);
    }
    return map;
  }

  Condition c(String type) {
    Condition found = StatusConditions.find(status.conditions, type);
    assertThat(found).as("condition %s", type).isNotNull();
    return found;
  }

  void assertCondition(String type, String value, String reason) {
    assertThat(c(type).status).as("%s status", type).isEqualTo(value);
    assertThat(c(type).reason).as("%s reason", type).isEqualTo(reason);
  }

  @Test
  void convergedFleetIsReadyAndNotReconciling() {
    apply(4, "web-r2", 3, m("web-r2", 3), m("web-r2", 3), ENDPOINT, T0);

    assertCondition(Conditions.READY, "True", Reason.FLEET_READY.value());
    assertCondition(Conditions.RECONCILING, "False", Reason.FLEET_READY.value());
    assertCondition(Conditions.STALLED, "False", Reason.RECONCILED.value());
    assertCondition(Conditions.AVAILABLE, "True", Reason.INSTANCES_AVAILABLE.value());
    assertThat(c(Conditions.READY).message).isEqualTo("3 of 3 instances of web-r2 ready");
    assertThat(c(Conditions.AVAILABLE).message).isEqualTo("3 instances serving at " + ENDPOINT);
    assertThat(status.conditions).allMatch(x -> x.observedGeneration == 4L);
    assertThat(status.observedGeneration).isEqualTo(4L);
    assertThat(status.currentRevision).isEqualTo("web-r2");
    assertThat(status.updateRevision).isEqualTo("web-r2");
    assertThat(status.replicas).isEqualTo(3);
    assertThat(status.readyReplicas).isEqualTo(3);
    assertThat(status.updatedReplicas).isEqualTo(3);
    assertThat(status.desiredReplicas).isEqualTo(3);
    assertThat(status.replicasSummary).isEqualTo("3/3");
    assertThat(status.endpoint).isEqualTo(ENDPOINT);
  }

  @Test
  void startingFleetIsNotReadyYet() {
    apply(1, "web-r1", 3, m("web-r1", 3), m("web-r1", 1), ENDPOINT, T0);

    assertCondition(Conditions.READY, "False", Reason.INSTANCES_STARTING.value());
    assertCondition(Conditions.RECONCILING, "True", Reason.INSTANCES_STARTING.value());
    assertThat(c(Conditions.READY).message).isEqualTo("1 of 3 instances of web-r1 ready");
    assertCondition(Conditions.AVAILABLE, "True", Reason.INSTANCES_AVAILABLE.value());
    assertThat(status.replicasSummary).isEqualTo("1/3");
  }

  @Test
  void fleetWithTooFewInstancesIsNotConverged() {
    apply(1, "web-r1", 3, m("web-r1", 2), m("web-r1", 2), ENDPOINT, T0);
    assertCondition(Conditions.READY, "False", Reason.INSTANCES_STARTING.value());
  }

  @Test
  void nothingReadyIsNotAvailable() {
    apply(1, "web-r1", 2, m("web-r1", 2), m("web-r1", 0), null, T0);

    assertCondition(Conditions.AVAILABLE, "False", Reason.NO_INSTANCES_READY.value());
    assertThat(c(Conditions.AVAILABLE).message).isEqualTo("no instance is passing its health check yet");
  }

  @Test
  void instancesThatPassTheProbesButNotTheLoadBalancersCheckAreNamedAsSuch() {
    RolloutDecision rollout = new RolloutDecision(
        new RolloutState(null, "web-r1", null, null, null, null, null, null),
        new RolloutStep(Map.of("web-r1", 2), true, ""), Set.of("web-r1"), null, null);
    status = FleetStatus.compute(status, new FleetFacts(1, T0, new FleetFacts.Observed("web-r1", 2, m("web-r1", 2),
        m("web-r1", 0), ENDPOINT, Set.of(), rollout, FleetHealth.EMPTY, null, 1, 10, 2, java.util.List.of())));
    assertCondition(Conditions.AVAILABLE, "False", Reason.NO_INSTANCES_READY.value());
    assertThat(c(Conditions.AVAILABLE).message).startsWith("2 instances pass the operator's probes but not yet the"
        + " load balancer's health check").contains("35.191.0.0/16");
  }

  @org.junit.jupiter.params.ParameterizedTest(name = "{0} is {1}")
  @org.junit.jupiter.params.provider.CsvSource({
      "QUOTA_EXCEEDED, QuotaExceeded",
      "REGION_QUOTA_EXCEEDED, QuotaExceeded",
      "ZONE_RESOURCE_POOL_EXHAUSTED, ZoneResourcesExhausted",
      "ZONE_RESOURCE_POOL_EXHAUSTED_WITH_DETAILS, ZoneResourcesExhausted",
      "PERMISSIONS_ERROR, PermissionDenied",
      "SOMETHING_ELSE, InstanceCreationFailed"})
  void instancesTheBackendCannotCreateDegradeTheFleetInItsWords(String code, String reason) {
    RolloutDecision rollout = new RolloutDecision(
        new RolloutState(null, "web-r1", null, null, null, null, null, null),
        new RolloutStep(Map.of("web-r1", 3), true, ""), Set.of("web-r1"), null, null);
    java.util.List<io.dustcloud.provider.CreationProblem> problems = java.util.List.of(
        new io.dustcloud.provider.CreationProblem(code, "web-x1", "Quota 'CPUS' exceeded.  Limit: 8.0 in region europe-west1."),
        new io.dustcloud.provider.CreationProblem(code, "web-x2", "Quota 'CPUS' exceeded.  Limit: 8.0 in region europe-west1."));
    status = FleetStatus.compute(status, new FleetFacts(1, T0, new FleetFacts.Observed("web-r1", 3, m("web-r1", 1),
        m("web-r1", 1), ENDPOINT, Set.of(), rollout, FleetHealth.EMPTY, null, 1, 10, 0, problems)));
    assertCondition(Conditions.DEGRADED, "True", reason);
    assertThat(c(Conditions.DEGRADED).message).isEqualTo("2 instance(s) cannot be created; " + code
        + ": Quota 'CPUS' exceeded.  Limit: 8.0 in region europe-west1. (the provider keeps trying to create them)");
    // Ready and Reconciling say why the fleet is not ready, not that instances are "starting"
    assertCondition(Conditions.READY, "False", reason);
    assertThat(c(Conditions.READY).message).endsWith("; 2 instance(s) cannot be created; " + code
        + ": Quota 'CPUS' exceeded.  Limit: 8.0 in region europe-west1. (the provider keeps trying to create them)");
    assertCondition(Conditions.RECONCILING, "True", reason);
    assertCondition(Conditions.STALLED, "False", Reason.RECONCILED.value());
  }

  @Test
  void availableWithoutEndpointSaysSoWithoutAnAddress() {
    apply(1, "web-r1", 2, m("web-r1", 2), m("web-r1", 1), null, T0);
    assertThat(c(Conditions.AVAILABLE).message).isEqualTo("1 instances serving");
    assertThat(status.endpoint).isNull();
  }

  @Test
  void fleetScaledToZeroIsReadyAndAvailable() {
    apply(1, "web-r1", 0, m(), m(), null, T0);

    assertCondition(Conditions.READY, "True", Reason.FLEET_READY.value());
    assertCondition(Conditions.AVAILABLE, "True", Reason.INSTANCES_AVAILABLE.value());
    assertThat(status.replicasSummary).isEqualTo("0/0");
  }

  @Test
  void rollingOutKeepsCurrentRevisionUntilConverged() {
    apply(1, "web-r1", 2, m("web-r1", 2), m("web-r1", 2), ENDPOINT, T0);
    assertThat(status.currentRevision).isEqualTo("web-r1");

    // generation 2 asks for r2; r1 still serves
    apply(2, "web-r2", 2, m("web-r1", 2, "web-r2", 2), m("web-r1", 2, "web-r2", 1), ENDPOINT, T0.plusSeconds(5));
    assertCondition(Conditions.READY, "False", Reason.ROLLING_OUT.value());
    assertCondition(Conditions.RECONCILING, "True", Reason.ROLLING_OUT.value());
    assertThat(c(Conditions.READY).message)
        .isEqualTo("1 of 2 instances of web-r2 ready; 2 instances of older revisions still serving");
    assertThat(c(Conditions.READY).lastTransitionTime).isEqualTo(T0.plusSeconds(5).toString());
    assertThat(status.currentRevision).isEqualTo("web-r1");
    assertThat(status.updateRevision).isEqualTo("web-r2");
    assertThat(status.replicas).isEqualTo(4);
    assertThat(status.readyReplicas).isEqualTo(3);
    assertThat(status.updatedReplicas).isEqualTo(2);
    assertCondition(Conditions.AVAILABLE, "True", Reason.INSTANCES_AVAILABLE.value());

    // the old revision is stopped once r2 is fully ready: still rolling while it exists
    apply(2, "web-r2", 2, m("web-r1", 1, "web-r2", 2), m("web-r1", 1, "web-r2", 2), ENDPOINT, T0.plusSeconds(6));
    assertCondition(Conditions.READY, "False", Reason.ROLLING_OUT.value());
    assertThat(status.currentRevision).isEqualTo("web-r1");

    apply(2, "web-r2", 2, m("web-r2", 2), m("web-r2", 2), ENDPOINT, T0.plusSeconds(7));
    assertCondition(Conditions.READY, "True", Reason.FLEET_READY.value());
    assertThat(status.currentRevision).isEqualTo("web-r2");
    assertThat(c(Conditions.READY).lastTransitionTime).isEqualTo(T0.plusSeconds(7).toString());
    // Available never flipped during the rollout
    assertThat(c(Conditions.AVAILABLE).lastTransitionTime).isEqualTo(T0.toString());
  }

  @Test
  void currentRevisionMovesWhenItNoLongerRuns() {
    status.currentRevision = "web-r1";
    apply(2, "web-r2", 2, m("web-r2", 2), m("web-r2", 1), ENDPOINT, T0);
    assertThat(status.currentRevision).isEqualTo("web-r2");

    status.currentRevision = "web-r1";
    apply(2, "web-r2", 2, m("web-r1", 0, "web-r2", 2), m("web-r2", 1), ENDPOINT, T0);
    assertThat(status.currentRevision).isEqualTo("web-r2");
  }

  @Test
  void firstStatusTakesTheTargetAsCurrent() {
    apply(1, "web-r1", 3, m(), m(), null, T0);
    assertThat(status.currentRevision).isEqualTo("web-r1");
    assertCondition(Conditions.READY, "False", Reason.INSTANCES_STARTING.value());
    assertCondition(Conditions.AVAILABLE, "False", Reason.NO_INSTANCES_READY.value());
  }

  @Test
  void stalledSetsStalledAndStopsReconciling() {
    apply(1, "web-r1", 1, m("web-r1", 1), m("web-r1", 1), ENDPOINT, T0);
    stalled(2, Reason.INVALID_SPEC, "spec.port must be between 1 and 65535, was 0", T0.plusSeconds(1));

    assertCondition(Conditions.STALLED, "True", Reason.INVALID_SPEC.value());
    assertThat(c(Conditions.STALLED).message).isEqualTo("spec.port must be between 1 and 65535, was 0");
    assertThat(c(Conditions.STALLED).lastTransitionTime).isEqualTo(T0.plusSeconds(1).toString());
    assertCondition(Conditions.READY, "False", Reason.INVALID_SPEC.value());
    assertCondition(Conditions.RECONCILING, "False", Reason.INVALID_SPEC.value());
    assertThat(c(Conditions.RECONCILING).message).isEqualTo("waiting for a spec change");
    assertThat(status.observedGeneration).isEqualTo(2L);
    assertThat(c(Conditions.STALLED).observedGeneration).isEqualTo(2L);

    // a fixed spec clears it
    apply(3, "web-r1", 1, m("web-r1", 1), m("web-r1", 1), ENDPOINT, T0.plusSeconds(2));
    assertCondition(Conditions.STALLED, "False", Reason.RECONCILED.value());
    assertCondition(Conditions.READY, "True", Reason.FLEET_READY.value());
  }

  @Test
  void progressingIsReconcilingWithoutStall() {
    progressing(1, Reason.BUILDING, "make is running", T0);

    assertCondition(Conditions.STALLED, "False", Reason.BUILDING.value());
    assertCondition(Conditions.RECONCILING, "True", Reason.BUILDING.value());
    assertCondition(Conditions.READY, "False", Reason.BUILDING.value());
    assertThat(c(Conditions.READY).message).isEqualTo("make is running");
  }

  @Test
  void suspendedRepairsStallWithoutReconciling() {
    FleetHealth suspended = new FleetHealth(Map.of(), java.util.List.of(), "2 of 2 instances are unhealthy", null, 0,
        Map.of());
    status = FleetStatus.compute(status, observed(1, "web-r1", 2, m("web-r1", 2), m(), ENDPOINT, T0, suspended, null));

    assertCondition(Conditions.STALLED, "True", Reason.REPAIRS_SUSPENDED.value());
    assertCondition(Conditions.RECONCILING, "False", Reason.REPAIRS_SUSPENDED.value());
    assertCondition(Conditions.DEGRADED, "True", Reason.REPAIRS_SUSPENDED.value());
  }

  @Test
  void aCrashLoopIsDegradedAndReconcilingNeverStalledAndCountsItsRestarts() {
    var loop = new io.dustcloud.supervisor.CrashLoop("web-r1", 2, T0.plusSeconds(2), java.time.Duration.ofSeconds(2),
        "web-r1-abc", "exited before it became ready", java.util.List.of("hello: invalid argument '--no-such-flag'"));
    FleetHealth crashing = new FleetHealth(Map.of(), java.util.List.of(), null, null, 5, Map.of(), java.util.List.of(loop));
    status = FleetStatus.compute(status, observed(1, "web-r1", 2, m("web-r1", 2), m(), ENDPOINT, T0, crashing, null));

    assertCondition(Conditions.DEGRADED, "True", Reason.CRASH_LOOP_BACK_OFF.value());
    assertThat(c(Conditions.DEGRADED).message).isEqualTo("revision web-r1 is crash-looping: instance web-r1-abc"
        + " exited before it became ready; restarted 2 times, backing off 2s: next attempt at 2025-01-01T00:00:02Z"
        + " (in 2s); last output: hello: invalid argument '--no-such-flag'");
    assertThat(c(Conditions.STALLED).status).isEqualTo("False");
    assertThat(c(Conditions.RECONCILING).status).isEqualTo("True");
    assertThat(status.restarts).isEqualTo(5L);
  }
}
