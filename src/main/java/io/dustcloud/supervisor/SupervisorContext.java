package io.dustcloud.supervisor;

import io.dustcloud.provider.FleetId;
import io.dustcloud.provider.FleetProvider;
import java.time.Clock;
import java.time.Duration;

/**
 * What one fleet's supervisor and its parts share: which fleet, where it runs, and the shared
 * services ({@link Supervisors} owns them).
 *
 * @param interval how often the supervisor runs (a quarter tick)
 */
record SupervisorContext(FleetId fleet, FleetProvider provider, HttpProber prober, Clock clock, Duration interval,
    SupervisorMetrics metrics, FleetListener listener) {

  /** The runtime of one instance, for metric labels; the provider's name when it cannot tell. */
  String runtime(String instanceId) {
    try {
      return provider.runtime(fleet, instanceId);
    } catch (RuntimeException e) {
      return provider.name();
    }
  }
}
