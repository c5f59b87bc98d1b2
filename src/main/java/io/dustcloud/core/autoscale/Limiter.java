package io.dustcloud.core.autoscale;

import java.time.Instant;

/**
 * Applies {@link ScaleLimits} to a policy's recommendation, in a fixed order: the scale-down
 * delay, then the rates, then min/max (last, so a changed min or max always takes effect).
 * Every step that changes the number says so in the reason.
 */
final class Limiter {
  private final ScaleLimits limits;
  private final TimeSeries recommendations;

  Limiter(ScaleLimits limits) {
    this.limits = limits;
    this.recommendations = new TimeSeries(limits.scaleDownDelay());
  }

  /** Keeps the fleet as it is (no usable data), within min/max. */
  ScaleDecision hold(String why, int current, boolean panic, double observed, Instant now) {
    return bound(current, current, why, current, panic, observed, now);
  }

  /**
   * @param recommended what the metric asks for
   * @param holdDown the data was incomplete: do not go below {@code current}, and do not let
   *     this recommendation count toward a later scale-down
   */
  ScaleDecision apply(int recommended, String why, int current, int ready, boolean holdDown, boolean panic,
      double observed, Instant now) {
    return apply(recommended, 0, why, current, ready, holdDown, panic, observed, now);
  }

  /**
   * @param atLeast a floor the policy holds for its own reason (panic: no scale-down); unlike
   *     the recommendation it does not count toward a later scale-down's delay, which would
   *     otherwise hold the fleet for the delay after the policy's own hold ended
   */
  ScaleDecision apply(int recommended, int atLeast, String why, int current, int ready, boolean holdDown,
      boolean panic, double observed, Instant now) {
    StringBuilder reason = new StringBuilder(why);
    int n = Math.max(recommended, atLeast);
    if (holdDown && n < current) {
      n = current;
      reason.append("; not scaling down with scrapes missing");
    } else if (!holdDown) {
      recommendations.add(now, recommended);
    }
    int delayed = (int) recommendations.max(now, limits.scaleDownDelay()).orElse(n);
    if (n < current && delayed > n) {
      n = Math.min(current, delayed);
      reason.append("; scale-down delay keeps ").append(n)
          .append(" (highest recommendation in the last ").append(limits.scaleDownDelay().toSeconds()).append("s)");
    }
    // relative to ready instances, so instances still booting do not compound the growth
    int upTo = Math.max(current, (int) Math.ceil(Math.max(1, ready) * limits.maxScaleUpRate()));
    int downTo = Math.min(current, (int) Math.floor(current / limits.maxScaleDownRate()));
    if (n > upTo) {
      n = upTo;
      reason.append("; maxScaleUpRate limits this step to ").append(n);
    } else if (n < downTo) {
      n = downTo;
      reason.append("; maxScaleDownRate limits this step to ").append(n);
    }
    return bound(n, recommended, reason.toString(), current, panic, observed, now);
  }

  private ScaleDecision bound(int n, int recommended, String why, int current, boolean panic, double observed,
      Instant now) {
    // never take a serving fleet to zero: with no instance there is no metric to come back on
    int floor = Math.max(limits.min(), Math.min(1, current));
    ScaleDecision.Cap cap = ScaleDecision.Cap.NONE;
    String reason = why;
    if (n > limits.max()) {
      n = limits.max();
      cap = ScaleDecision.Cap.MAX;
      reason += "; capped at maxReplicas " + limits.max();
    } else if (n < floor) {
      cap = n < limits.min() ? ScaleDecision.Cap.MIN : ScaleDecision.Cap.NONE;
      n = floor;
      reason += cap == ScaleDecision.Cap.MIN ? "; raised to minReplicas " + limits.min() : "; keeping one instance";
    }
    return new ScaleDecision(n, current, recommended, reason, cap, panic, observed, now);
  }
}
