package io.dustcloud.supervisor;

import io.dustcloud.core.health.HealthPolicy;
import java.time.Duration;

/**
 * How a fleet's instances are probed and repaired.
 *
 * @param kind HTTP (GET path, status in [statusMin, statusMax]) or TCP (connect)
 */
public record ProbeSpec(
    Kind kind,
    String path,
    int statusMin,
    int statusMax,
    Duration period,
    Duration timeout,
    HealthPolicy policy,
    String maxConcurrentRepairs) {

  public enum Kind {
    HTTP,
    TCP
  }

  public static final ProbeSpec DEFAULT =
      new ProbeSpec(Kind.HTTP, "/health", 200, 399, Duration.ofSeconds(30), Duration.ofSeconds(1),
          HealthPolicy.DEFAULT, "1");

  /** A probe of {@code path} with otherwise default settings (tests). */
  public static ProbeSpec http(String path, Duration period, int failureThreshold) {
    HealthPolicy p = HealthPolicy.DEFAULT;
    return new ProbeSpec(Kind.HTTP, path, 200, 399, period, Duration.ofSeconds(1),
        new HealthPolicy(failureThreshold, p.successThreshold(), p.startupDeadline(), p.maxConcurrentRepairs(),
            p.maxUnhealthyFraction(), p.backoffBase(), p.backoffMax(), p.repairsWithoutRecovery()),
        "1");
  }

  /** The policy with {@code maxConcurrentRepairs} resolved against the fleet's size. */
  HealthPolicy policyFor(int fleetSize) {
    HealthPolicy p = policy;
    return new HealthPolicy(p.failureThreshold(), p.successThreshold(), p.startupDeadline(),
        HealthPolicy.resolveCount(maxConcurrentRepairs, fleetSize), p.maxUnhealthyFraction(),
        p.backoffBase(), p.backoffMax(), p.repairsWithoutRecovery());
  }
}
