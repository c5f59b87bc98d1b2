package io.dustcloud.core.autoscale;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/**
 * The rule production unikernel teams asked for: add instances when the mean per-instance
 * metric has stayed above {@code scaleUpAbove} for {@code upFor}, remove them when it has
 * stayed below {@code scaleDownBelow} for {@code downFor}, otherwise leave the fleet alone.
 *
 * <p>How many: enough to bring the mean back to the threshold that fired if the load spread
 * evenly (at least one). Computed from the ready instances' demand, so while added instances
 * boot the rule asks for the same number again instead of adding more each second.
 */
public final class ThresholdRule implements ScalingPolicy {

  public record Settings(String metric, double scaleUpAbove, Duration upFor, double scaleDownBelow, Duration downFor) {
    public static final double DEFAULT_SCALE_DOWN_BELOW_CPU = 5.0;

    public Settings {
      if (!(scaleDownBelow < scaleUpAbove) || scaleDownBelow < 0 || upFor.isNegative() || downFor.isNegative()) {
        throw new IllegalArgumentException("need 0 <= scaleDownBelow < scaleUpAbove and non-negative durations");
      }
    }
  }

  private final Settings settings;
  private final Limiter limiter;
  private Instant aboveSince;
  private Instant belowSince;

  public ThresholdRule(Settings settings, ScaleLimits limits) {
    this.settings = settings;
    this.limiter = new Limiter(limits);
  }

  @Override
  public ScaleDecision decide(MetricSample sample, int current, Instant now) {
    if (!sample.hasData()) {
      // a gap in the data neither starts nor breaks a run: the next sample decides
      return limiter.hold(TargetTracking.noData(sample), current, false, Double.NaN, now);
    }
    double mean = sample.mean();
    aboveSince = mean > settings.scaleUpAbove() ? (aboveSince == null ? now : aboveSince) : null;
    belowSince = mean < settings.scaleDownBelow() ? (belowSince == null ? now : belowSince) : null;
    int recommended = current;
    String why;
    if (aboveSince != null && held(aboveSince, settings.upFor(), now)) {
      int wants = TargetTracking.instancesFor(sample.total(), settings.scaleUpAbove());
      recommended = Math.max(current, wants);
      why = describe(mean, "above", settings.scaleUpAbove(), aboveSince, now) + "; wants " + wants;
    } else if (belowSince != null && held(belowSince, settings.downFor(), now)) {
      int wants = TargetTracking.instancesFor(sample.total(), Math.max(settings.scaleDownBelow(), 1e-9));
      recommended = Math.min(current - 1, wants);
      why = describe(mean, "below", settings.scaleDownBelow(), belowSince, now) + "; wants " + Math.max(0, recommended);
    } else {
      why = String.format(Locale.ROOT, "%s %s per instance: no threshold held long enough; keeping %d",
          settings.metric(), TargetTracking.num(mean), current);
    }
    return limiter.apply(Math.max(0, recommended), why, current, sample.ready(), sample.missing() > 0, false, mean, now);
  }

  private static boolean held(Instant since, Duration needed, Instant now) {
    return !now.isBefore(since.plus(needed));
  }

  private String describe(double mean, String side, double threshold, Instant since, Instant now) {
    return String.format(Locale.ROOT, "%s %s per instance, %s %s for %ds", settings.metric(), TargetTracking.num(mean),
        side, TargetTracking.num(threshold), Duration.between(since, now).toSeconds());
  }
}
