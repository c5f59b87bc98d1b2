package io.dustcloud.provider;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What a provider observed of one fleet.
 *
 * @param endpoint where clients reach the fleet ({@code host:port}), when it has one
 * @param outOfRotation instances the fleet's endpoint does not send traffic to yet although they
 *     exist (GCE: the load balancer's own health check has not passed them). They may pass the
 *     operator's probes, but they do not serve, so they are not counted ready: a rollout must not
 *     remove an old instance for a new one clients cannot reach yet. Empty for providers whose
 *     endpoint follows the operator's readiness (local).
 * @param problems instances the backend wants but cannot create, and why (not in {@code instances})
 */
public record FleetObservation(FleetId fleet, List<InstanceView> instances, Optional<String> endpoint,
    Set<String> outOfRotation, List<CreationProblem> problems) {
  public FleetObservation {
    instances = List.copyOf(instances);
    outOfRotation = outOfRotation == null ? Set.of() : Set.copyOf(outOfRotation);
    problems = problems == null ? List.of() : List.copyOf(problems);
  }

  public FleetObservation(FleetId fleet, List<InstanceView> instances, Optional<String> endpoint) {
    this(fleet, instances, endpoint, Set.of(), List.of());
  }

  public FleetObservation(FleetId fleet, List<InstanceView> instances, Optional<String> endpoint,
      Set<String> outOfRotation) {
    this(fleet, instances, endpoint, outOfRotation, List.of());
  }

  public static FleetObservation empty(FleetId fleet) {
    return new FleetObservation(fleet, List.of(), Optional.empty());
  }

  public long count(String revision) {
    return instances.stream().filter(i -> i.revision().equals(revision)).count();
  }

  /** Whether clients of the endpoint can reach {@code instanceId} (see {@link #outOfRotation}). */
  public boolean inRotation(String instanceId) {
    return !outOfRotation.contains(instanceId);
  }
}
