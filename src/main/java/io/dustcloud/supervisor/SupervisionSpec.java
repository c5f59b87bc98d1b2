package io.dustcloud.supervisor;

import io.dustcloud.provider.FleetProvider;
import java.util.Objects;
import java.util.Set;

/**
 * Everything {@link Supervisors#supervise} needs to know of one fleet.
 *
 * @param provider where the fleet runs (taken when the supervisor is created)
 * @param probe how instances are probed and repaired
 * @param autoscale how the fleet is autoscaled; null for a fleet of fixed size
 * @param serving which revisions' ready instances receive traffic; null for all of them
 * @param repairsSoFar repairs already counted (from status), so the count survives an operator
 *     restart; seeds a new supervisor, ignored afterwards
 * @param initialTotal the fleet's total (from status), where the autoscaler starts; seeds a new
 *     supervisor (clamped to the limits), ignored afterwards. A fixed-size fleet keeps it.
 */
public record SupervisionSpec(FleetProvider provider, ProbeSpec probe, AutoscaleSpec autoscale, Set<String> serving,
    long repairsSoFar, int initialTotal) {

  public SupervisionSpec {
    Objects.requireNonNull(provider, "provider");
    Objects.requireNonNull(probe, "probe");
    serving = serving == null ? null : Set.copyOf(serving);
  }

  /** A fleet of fixed size that serves every revision, with no repairs counted yet (tests, benchmarks). */
  public static SupervisionSpec fixed(FleetProvider provider, ProbeSpec probe, int total) {
    return new SupervisionSpec(provider, probe, null, null, 0, total);
  }

  public SupervisionSpec withServing(Set<String> revisions) {
    return new SupervisionSpec(provider, probe, autoscale, revisions, repairsSoFar, initialTotal);
  }
}
