package io.dustcloud.supervisor;

import io.dustcloud.core.health.Readiness;
import io.dustcloud.core.health.Repair;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A snapshot of one fleet's health: readiness by instance id, the unhealthy instances and
 * why, whether repairs are suspended, how many repairs were made, and the median boot
 * latency (start to first passing probe) of each revision's recent instances.
 *
 * @param repairs instances replaced over the fleet's life, crash-loop restarts included
 * @param crashLoops revisions in crash-loop backoff now, oldest name first
 */
public record FleetHealth(
    Map<String, Readiness> instances, List<Repair> unhealthy, String suspended, String waiting, long repairs,
    Map<String, Long> bootMedianMillis, List<CrashLoop> crashLoops) {
  public static final FleetHealth EMPTY = new FleetHealth(Map.of(), List.of(), null, null, 0, Map.of());

  public FleetHealth {
    instances = Map.copyOf(instances);
    unhealthy = List.copyOf(unhealthy);
    bootMedianMillis = Map.copyOf(bootMedianMillis);
    crashLoops = List.copyOf(crashLoops);
  }

  public FleetHealth(Map<String, Readiness> instances, List<Repair> unhealthy, String suspended, String waiting,
      long repairs, Map<String, Long> bootMedianMillis) {
    this(instances, unhealthy, suspended, waiting, repairs, bootMedianMillis, List.of());
  }

  public Set<String> readyIds() {
    return instances.entrySet().stream()
        .filter(e -> e.getValue().ready())
        .map(Map.Entry::getKey)
        .collect(Collectors.toUnmodifiableSet());
  }

  public boolean isReady(String instanceId) {
    Readiness r = instances.get(instanceId);
    return r != null && r.ready();
  }

  /** What the reconciler reports; probe timings are left out so they do not cause status writes. */
  Object reportable() {
    return List.of(readyIds(), unhealthy, String.valueOf(suspended), repairs, bootMedianMillis, crashLoops);
  }
}
