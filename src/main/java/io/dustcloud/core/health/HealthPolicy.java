package io.dustcloud.core.health;

import java.time.Duration;

/**
 * How a fleet is health-checked and repaired.
 *
 * @param failureThreshold consecutive failed probes that make a ready instance unhealthy
 * @param successThreshold consecutive passing probes that make an instance ready
 * @param startupDeadline how long a new instance may take to pass its first probe
 * @param maxConcurrentRepairs repairs whose replacement is not ready yet, at most
 * @param maxUnhealthyFraction above this share of unhealthy instances repairs stop: a fleet
 *     failing as a whole has a cause that replacing instances will not fix (a wrong probe, a
 *     dependency down)
 * @param backoffBase delay before repairing a revision again when its last repair did not
 *     produce a ready instance; doubles per such repair
 * @param backoffMax the longest such delay
 * @param repairsWithoutRecovery repairs of one revision in a row with no instance becoming
 *     ready, after which repairs stop
 */
public record HealthPolicy(
    int failureThreshold,
    int successThreshold,
    Duration startupDeadline,
    int maxConcurrentRepairs,
    double maxUnhealthyFraction,
    Duration backoffBase,
    Duration backoffMax,
    int repairsWithoutRecovery) {

  public static final HealthPolicy DEFAULT =
      new HealthPolicy(3, 1, Duration.ofMinutes(5), 1, 0.5, Duration.ofSeconds(5), Duration.ofMinutes(5), 5);

  /** Resolves "N" or "N%" of {@code fleetSize} (rounded up, at least 1). */
  public static int resolveCount(String countOrPercent, int fleetSize) {
    String s = countOrPercent.trim();
    if (s.endsWith("%")) {
      double pct = Double.parseDouble(s.substring(0, s.length() - 1));
      return Math.max(1, (int) Math.ceil(fleetSize * pct / 100.0));
    }
    return Math.max(1, Integer.parseInt(s));
  }
}
