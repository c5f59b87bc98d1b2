package io.dustcloud.core.autoscale;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.OptionalDouble;

/**
 * Target tracking: as many instances as it takes to hold the metric at {@code target} per
 * instance, demand being averaged over two windows. The fleet grows on whichever window
 * is higher (the short one reacts within seconds) and shrinks only on the stable one (a
 * lull of a few seconds does not cost capacity).
 *
 * <p>Panic: when the short window's demand reaches {@code panicThreshold} times the ready
 * instances' capacity, the fleet is sized for the short window at once and is not scaled
 * down until the condition has been absent for a whole stable window: in a surge the
 * stable average lags, and shrinking on it would undo the rescue.
 */
public final class TargetTracking implements ScalingPolicy {

  /**
   * @param metric the metric's name, for reasons
   * @param target the metric's value one instance should carry
   * @param panicThreshold the short window's demand, as a multiple of ready capacity, that starts panic
   */
  public record Settings(String metric, double target, Duration stableWindow, Duration panicWindow,
      double panicThreshold) {
    public static final Duration DEFAULT_STABLE_WINDOW = Duration.ofSeconds(60);
    public static final Duration DEFAULT_PANIC_WINDOW = Duration.ofSeconds(6);
    public static final double DEFAULT_PANIC_THRESHOLD = 2.0;

    public Settings {
      if (!(target > 0) || panicWindow.compareTo(stableWindow) > 0 || panicWindow.isZero() || panicThreshold <= 1) {
        throw new IllegalArgumentException(
            "need target > 0, 0 < panicWindow <= stableWindow and panicThreshold > 1");
      }
    }

    public static Settings of(String metric, double target) {
      return new Settings(metric, target, DEFAULT_STABLE_WINDOW, DEFAULT_PANIC_WINDOW, DEFAULT_PANIC_THRESHOLD);
    }

    public Settings withWindows(Duration stable, Duration panic) {
      return new Settings(metric, target, stable, panic, panicThreshold);
    }
  }

  private final Settings settings;
  private final Limiter limiter;
  private final TimeSeries demand;
  /** The last time the panic condition held; null when not in panic. */
  private Instant panicTriggeredAt;

  public TargetTracking(Settings settings, ScaleLimits limits) {
    this.settings = settings;
    this.limiter = new Limiter(limits);
    this.demand = new TimeSeries(settings.stableWindow());
  }

  @Override
  public ScaleDecision decide(MetricSample sample, int current, Instant now) {
    if (sample.hasData()) {
      demand.add(now, sample.total());
    }
    OptionalDouble stable = demand.mean(now, settings.stableWindow());
    OptionalDouble burst = demand.mean(now, settings.panicWindow());
    if (burst.isEmpty()) {
      return limiter.hold(noData(sample), current, panicTriggeredAt != null, Double.NaN, now);
    }
    double target = settings.target();
    double capacity = Math.max(1, sample.ready()) * target;
    boolean trigger = burst.getAsDouble() >= settings.panicThreshold() * capacity;
    if (trigger) {
      panicTriggeredAt = now;
    } else if (panicTriggeredAt != null && !now.isBefore(panicTriggeredAt.plus(settings.stableWindow()))) {
      panicTriggeredAt = null;
    }
    boolean panic = panicTriggeredAt != null;
    int stableWants = instancesFor(stable.getAsDouble(), target);
    int burstWants = instancesFor(burst.getAsDouble(), target);
    int recommended;
    String why;
    if (panic) {
      recommended = Math.max(burstWants, current);
      why = String.format(Locale.ROOT, "panic: %s %s over %ds %s the capacity of %d ready at target %s; wants %d",
          settings.metric(), num(burst.getAsDouble()), settings.panicWindow().toSeconds(),
          trigger ? "is >= " + num(settings.panicThreshold()) + "x" : "was recently >= " + num(settings.panicThreshold()) + "x",
          sample.ready(), num(target), burstWants);
    } else if (burstWants > stableWants && burstWants > current) {
      recommended = burstWants;
      why = String.format(Locale.ROOT, "%s %s over %ds needs %d at target %s",
          settings.metric(), num(burst.getAsDouble()), settings.panicWindow().toSeconds(), burstWants, num(target));
    } else {
      recommended = stableWants;
      why = String.format(Locale.ROOT, "%s %s over %ds needs %d at target %s",
          settings.metric(), num(stable.getAsDouble()), settings.stableWindow().toSeconds(), stableWants, num(target));
    }
    return limiter.apply(recommended, why, current, sample.ready(), sample.missing() > 0, panic, sample.mean(), now);
  }

  static int instancesFor(double demand, double perInstance) {
    // tolerate float noise: 2.0000000001 instances' worth of demand is 2 instances
    return (int) Math.ceil(demand / perInstance - 1e-9);
  }

  static String noData(MetricSample sample) {
    return "no metrics from " + (sample.ready() == 0 ? "any instance (none ready)" : sample.ready() + " ready instances")
        + ": holding";
  }

  static String num(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e12 ? Long.toString((long) v) : String.format(Locale.ROOT, "%.2f", v);
  }
}
