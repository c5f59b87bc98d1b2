package io.dustcloud.provider;

import java.util.List;
import java.util.Optional;

/** What a provider observed of one fleet. */
public record FleetObservation(FleetId fleet, List<InstanceView> instances, Optional<String> endpoint) {
  public FleetObservation {
    instances = List.copyOf(instances);
  }

  public static FleetObservation empty(FleetId fleet) {
    return new FleetObservation(fleet, List.of(), Optional.empty());
  }

  public long count(String revision) {
    return instances.stream().filter(i -> i.revision().equals(revision)).count();
  }
}
