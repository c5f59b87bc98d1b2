package io.dustcloud.core.health;

import java.time.Instant;

/**
 * Readiness of one instance from its probe history: ready after {@code successThreshold}
 * consecutive passing probes, not ready after {@code failureThreshold} consecutive failures.
 * Immutable; {@link #observe} returns the next state.
 *
 * @param firstReadyAt when the instance first became ready (null: never — still booting)
 */
public record Readiness(
    boolean ready,
    int consecutiveFailures,
    int consecutiveSuccesses,
    Instant firstReadyAt,
    ProbeResult last,
    Instant lastProbedAt) {

  public static final Readiness UNKNOWN = new Readiness(false, 0, 0, null, null, null);

  public Readiness observe(ProbeResult result, int failureThreshold, Instant now) {
    return observe(result, failureThreshold, 1, now);
  }

  public Readiness observe(ProbeResult result, int failureThreshold, int successThreshold, Instant now) {
    if (result.passed()) {
      int successes = consecutiveSuccesses + 1;
      boolean nowReady = ready || successes >= successThreshold;
      return new Readiness(nowReady, 0, successes,
          firstReadyAt == null && nowReady ? now : firstReadyAt, result, now);
    }
    int failures = consecutiveFailures + 1;
    boolean stillReady = ready && failures < failureThreshold;
    return new Readiness(stillReady, failures, 0, firstReadyAt, result, now);
  }

  /** The instance is gone or exited: not ready, history kept. */
  public Readiness lost() {
    return new Readiness(false, consecutiveFailures, 0, firstReadyAt, last, lastProbedAt);
  }

  public boolean everReady() {
    return firstReadyAt != null;
  }
}
