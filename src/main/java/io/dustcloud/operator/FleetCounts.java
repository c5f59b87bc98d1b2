package io.dustcloud.operator;

import io.dustcloud.api.v1alpha1.UnikernelRevision;
import io.dustcloud.core.rollout.RevisionCounts;
import io.dustcloud.provider.FleetObservation;
import io.dustcloud.provider.InstanceState;
import io.dustcloud.provider.InstanceView;
import io.dustcloud.supervisor.FleetHealth;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/** Instance counts per revision, from what the provider and the supervisor observed. Pure. */
final class FleetCounts {
  private FleetCounts() {}

  /** Instances that exist per revision: known revisions oldest first, then any others. */
  static Map<String, Integer> running(FleetObservation observed, Collection<UnikernelRevision> known) {
    // oldest revision first, so the rollout keeps the newest old revision longest
    Map<String, Integer> counts = new LinkedHashMap<>();
    for (UnikernelRevision r : RevisionStore.oldestFirst(known)) {
      long n = observed.count(r.getMetadata().getName());
      if (n > 0) {
        counts.put(r.getMetadata().getName(), (int) n);
      }
    }
    for (InstanceView i : observed.instances()) {
      counts.putIfAbsent(i.revision(), (int) observed.count(i.revision()));
    }
    return counts;
  }

  /**
   * Instances serving per revision: passing their health checks and in the endpoint's rotation (a
   * failed instance never counts).
   */
  static Map<String, Integer> ready(FleetObservation observed, FleetHealth health) {
    Map<String, Integer> counts = new HashMap<>();
    for (InstanceView i : observed.instances()) {
      if (i.state() != InstanceState.FAILED && health.isReady(i.id()) && observed.inRotation(i.id())) {
        counts.merge(i.revision(), 1, Integer::sum);
      }
    }
    return counts;
  }

  /**
   * Instances that pass the operator's probes but that the fleet's endpoint does not route to
   * yet (GCE: its load balancer's own check has not passed them).
   */
  static int awaitingRotation(FleetObservation observed, FleetHealth health) {
    int n = 0;
    for (InstanceView i : observed.instances()) {
      if (i.state() != InstanceState.FAILED && health.isReady(i.id()) && !observed.inRotation(i.id())) {
        n++;
      }
    }
    return n;
  }

  /** Running and ready per revision, as the rollout planner takes them. */
  static Map<String, RevisionCounts> counts(
      FleetObservation observed, FleetHealth health, Collection<UnikernelRevision> known) {
    Map<String, RevisionCounts> counts = new LinkedHashMap<>();
    Map<String, Integer> ready = ready(observed, health);
    running(observed, known).forEach(
        (rev, n) -> counts.put(rev, new RevisionCounts(n, Math.min(n, ready.getOrDefault(rev, 0)))));
    return counts;
  }

  static Map<String, Integer> unhealthy(FleetHealth health) {
    Map<String, Integer> counts = new HashMap<>();
    health.unhealthy().forEach(r -> counts.merge(r.revision(), 1, Integer::sum));
    return counts;
  }
}
