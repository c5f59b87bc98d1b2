package io.dustcloud.core.autoscale;

import java.time.Duration;
import java.time.Instant;

/**
 * How long the fleet takes from asking for more instances to their being ready, learned from
 * the policy's own decisions and the ready counts that follow: the fleet's real boot time
 * (a process in a second, a GCE VM in half a minute) without a setting that could be wrong.
 * The estimate is the mean of recent boots, weighted toward the latest.
 */
final class BootEstimate {
  private Instant askedAt;
  private int askedFor;
  private double seconds = Double.NaN;

  /** A decision that grew the fleet from {@code before} to {@code after}. */
  void grew(int before, int after, Instant now) {
    // one growth is timed at a time, the earliest still outstanding: restarting the clock on
    // each later one would never let a ramp that grows faster than a boot finish a measurement
    if (askedAt == null) {
      askedAt = now;
      askedFor = after;
    }
  }

  /** What was asked for went below the outstanding growth: it can no longer be timed. */
  void shrank(int to) {
    if (askedAt != null && to < askedFor) {
      askedAt = null;
      askedFor = 0;
    }
  }

  /** This tick's ready count. */
  void observe(int ready, Instant now) {
    if (askedAt != null && ready >= askedFor) {
      double took = Duration.between(askedAt, now).toMillis() / 1000.0;
      seconds = Double.isNaN(seconds) ? took : 0.5 * seconds + 0.5 * took;
      askedAt = null;
      askedFor = 0;
    }
  }

  /** Whether any boot has been timed yet. */
  boolean known() {
    return !Double.isNaN(seconds);
  }

  /** Seconds from a resize to ready; 0 before any boot was seen. */
  double seconds() {
    return Double.isNaN(seconds) ? 0 : seconds;
  }
}
