package io.dustcloud.core.autoscale;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/**
 * The shape of the autoscalers Dustcloud is compared with: decide once per {@code period}
 * from the current per-instance mean, ignore deviations within {@code tolerance} of the
 * target, and stabilise scale-downs over a long window (the {@link ScaleLimits}'s
 * scale-down delay). {@link #gceLike} carries GCE's documented defaults (HPA and KPA, which
 * see more of the fleet than a sample, are {@code sim.Hpa} and {@code sim.Kpa}). Used by the
 * simulator and the benchmark; not offered to fleets.
 */
public final class PeriodicPolicy implements ScalingPolicy {
  public record Settings(String name, Duration period, double target, double tolerance) {}

  private final Settings settings;
  private final Limiter limiter;
  private Instant nextAt;
  private ScaleDecision last;

  public PeriodicPolicy(Settings settings, ScaleLimits limits) {
    this.settings = settings;
    this.limiter = new Limiter(limits);
  }

  /**
   * GCE's managed instance group autoscaler: a 600 s scale-in stabilization and no growth
   * limit. Its 60 s initialization period is not a policy setting but a view of the fleet:
   * callers leave instances younger than that out of the sample.
   */
  public static PeriodicPolicy gceLike(double target, int min, int max) {
    return new PeriodicPolicy(new Settings("gce", Duration.ofSeconds(15), target, 0.0),
        new ScaleLimits(min, max, Double.MAX_VALUE, Double.MAX_VALUE, Duration.ofSeconds(600)));
  }

  @Override
  public ScaleDecision decide(MetricSample sample, int current, Instant now) {
    if (nextAt != null && now.isBefore(nextAt) && last != null) {
      return new ScaleDecision(current, current, last.recommended(), "waiting for the next period", last.cap(),
          false, sample.mean(), now);
    }
    nextAt = now.plus(settings.period());
    if (!sample.hasData()) {
      return last = limiter.hold(TargetTracking.noData(sample), current, false, Double.NaN, now);
    }
    double ratio = sample.mean() / settings.target();
    int wants = Math.abs(ratio - 1) <= settings.tolerance()
        ? current : TargetTracking.instancesFor(sample.total(), settings.target());
    String why = String.format(Locale.ROOT, "%s: %s per instance against target %s; wants %d", settings.name(),
        TargetTracking.num(sample.mean()), TargetTracking.num(settings.target()), wants);
    return last = limiter.apply(wants, why, current, sample.ready(), sample.missing() > 0, false, sample.mean(), now);
  }
}
