package io.dustcloud.core.autoscale;

import java.time.Duration;

/**
 * Bounds every policy honours.
 *
 * @param min fewest instances (the autoscaler never takes a serving fleet to zero, though:
 *     without an instance there is no metric to scale back up on)
 * @param max most instances
 * @param maxScaleUpRate one decision grows the fleet to at most this factor of its ready
 *     instances (relative to ready ones, so instances still booting do not compound it)
 * @param maxScaleDownRate one decision shrinks the fleet to no less than 1/this of its size
 * @param scaleDownDelay a scale-down goes only as low as the highest recommendation made in
 *     this window: a brief dip does not cost instances that the next second needs again
 */
public record ScaleLimits(int min, int max, double maxScaleUpRate, double maxScaleDownRate, Duration scaleDownDelay) {
  public static final double DEFAULT_MAX_SCALE_UP_RATE = 10.0;
  public static final double DEFAULT_MAX_SCALE_DOWN_RATE = 2.0;
  public static final Duration DEFAULT_SCALE_DOWN_DELAY = Duration.ofSeconds(30);

  public ScaleLimits {
    if (min < 0 || max < Math.max(1, min)) {
      throw new IllegalArgumentException("need 0 <= min <= max and max >= 1, got " + min + ".." + max);
    }
    if (maxScaleUpRate < 1 || maxScaleDownRate < 1) {
      throw new IllegalArgumentException("rates are factors of at least 1");
    }
  }

  /** {@code n} moved into [min, max]. */
  public int clamp(int n) {
    return Math.max(min, Math.min(max, n));
  }

  public static ScaleLimits of(int min, int max) {
    return new ScaleLimits(min, max, DEFAULT_MAX_SCALE_UP_RATE, DEFAULT_MAX_SCALE_DOWN_RATE, DEFAULT_SCALE_DOWN_DELAY);
  }

  public ScaleLimits withRates(double up, double down) {
    return new ScaleLimits(min, max, up, down, scaleDownDelay);
  }

  public ScaleLimits withScaleDownDelay(Duration delay) {
    return new ScaleLimits(min, max, maxScaleUpRate, maxScaleDownRate, delay);
  }
}
