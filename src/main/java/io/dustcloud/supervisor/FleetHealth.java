package io.dustcloud.supervisor;

import io.dustcloud.core.health.Readiness;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** A snapshot of the readiness of one fleet's instances, by instance id. */
public record FleetHealth(Map<String, Readiness> instances) {
  public static final FleetHealth EMPTY = new FleetHealth(Map.of());

  public FleetHealth {
    instances = Map.copyOf(instances);
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
}
