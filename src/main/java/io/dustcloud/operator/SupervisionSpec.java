package io.dustcloud.operator;

import io.dustcloud.provider.FleetProvider;
import io.dustcloud.supervisor.AutoscaleSpec;
import io.dustcloud.supervisor.ProbeSpec;
import java.util.Set;

/** TEMPORARY until the supervisor branch lands: the supervisor's SupervisionSpec. */
record SupervisionSpec(FleetProvider provider, ProbeSpec probe, AutoscaleSpec autoscale, Set<String> serving,
    long repairsSoFar, int initialTotal) {
  SupervisionSpec withServing(Set<String> serving) {
    return new SupervisionSpec(provider, probe, autoscale, serving, repairsSoFar, initialTotal);
  }
}
