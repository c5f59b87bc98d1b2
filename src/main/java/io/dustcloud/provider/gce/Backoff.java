package io.dustcloud.provider.gce;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Jittered exponential backoff, bounded in attempts: "equal jitter" (half the exponential cap
 * plus a random part up to the other half) keeps many fleets that hit a quota at the same moment from retrying in step.
 */
public record Backoff(Duration initial, Duration max, int attempts) {
  public static final Backoff DEFAULT = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(16), 6);

  /** The delay before retry number {@code retry} (1-based). */
  public Duration delay(int retry) {
    long cap = Math.min(max.toMillis(), initial.toMillis() << Math.min(retry - 1, 20));
    return Duration.ofMillis(cap / 2 + ThreadLocalRandom.current().nextLong(cap / 2 + 1));
  }

  /**
   * The wait before a view read while it lags (the load balancer's health, a group's errors) is
   * read again: {@code first} after a read that changed it, doubling while it does not, at most
   * {@code most}.
   */
  static Duration whileUnchanged(Duration last, boolean unchanged, Duration first, Duration most) {
    Duration next = unchanged ? last.multipliedBy(2) : first;
    return next.compareTo(first) < 0 ? first : next.compareTo(most) > 0 ? most : next;
  }
}
