package io.dustcloud.core.health;

import java.time.Instant;

/**
 * Readiness of one instance from its probe history: ready after one passing probe, not ready
 * after {@code failureThreshold} consecutive failures. Immutable; {@link #observe} returns the
 * next state.
 */
public record Readiness(
    boolean ready,
    int consecutiveFailures,
    Instant firstReadyAt,
    ProbeResult last) {

  public static final Readiness UNKNOWN = new Readiness(false, 0, null, null);

  public Readiness observe(ProbeResult result, int failureThreshold, Instant now) {
    if (result.passed()) {
      return new Readiness(true, 0, firstReadyAt == null ? now : firstReadyAt, result);
    }
    int failures = consecutiveFailures + 1;
    boolean stillReady = ready && failures < failureThreshold;
    return new Readiness(stillReady, failures, firstReadyAt, result);
  }
}
