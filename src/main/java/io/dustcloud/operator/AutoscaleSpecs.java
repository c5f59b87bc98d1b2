package io.dustcloud.operator;

import io.dustcloud.api.v1alpha1.ScalingSpec;
import io.dustcloud.api.v1alpha1.UnikernelSpec;
import io.dustcloud.core.autoscale.ScaleLimits;
import io.dustcloud.core.autoscale.TargetTracking;
import io.dustcloud.core.autoscale.ThresholdRule;
import io.dustcloud.supervisor.AutoscaleSpec;
import io.dustcloud.supervisor.MetricSource;
import java.time.Duration;

/** Translates a (defaulted, valid) {@code spec.scaling} into what the supervisor runs. */
final class AutoscaleSpecs {
  /** A scrape may take most of a tick, never more than this. */
  static final Duration MAX_SCRAPE_TIMEOUT = Duration.ofSeconds(5);

  private AutoscaleSpecs() {}

  static AutoscaleSpec from(UnikernelSpec spec) {
    ScalingSpec s = spec.scaling;
    Duration tick = Duration.ofSeconds(s.tickSeconds);
    MetricSource source = source(s, min(tick.multipliedBy(8).dividedBy(10), MAX_SCRAPE_TIMEOUT));
    ScaleLimits limits = new ScaleLimits(s.minReplicas, s.maxReplicas, s.maxScaleUpRate, s.maxScaleDownRate,
        Duration.ofSeconds(s.scaleDownDelaySeconds));
    if (s.policy == ScalingSpec.Policy.Threshold) {
      return new AutoscaleSpec(source, limits, null, new ThresholdRule.Settings(source.label(), s.scaleUpThreshold,
          Duration.ofSeconds(s.scaleUpForSeconds), s.scaleDownThreshold, Duration.ofSeconds(s.scaleDownForSeconds)),
          tick);
    }
    return new AutoscaleSpec(source, limits, new TargetTracking.Settings(source.label(), s.target,
        Duration.ofSeconds(s.stableWindowSeconds), Duration.ofSeconds(s.panicWindowSeconds),
        s.panicThresholdPercent / 100.0, saturation(s)), null, tick);
  }

  /**
   * Where one instance's metric stops however much demand there is: CPU at one core (100 %),
   * so a fleet reading it is saturated and demand is unknown above it. Other metrics (rates,
   * requests in flight) keep growing with demand: NaN.
   */
  static double saturation(ScalingSpec s) {
    return s.metric == ScalingSpec.Metric.cpu ? 100 : Double.NaN;
  }

  static MetricSource source(ScalingSpec s, Duration timeout) {
    return switch (s.metric) {
      case cpu -> MetricSource.cpu(s.metricsPath, s.metricsPort, timeout);
      case rps -> new MetricSource("rps", s.metricName, MetricSource.Kind.RATE, 1, s.metricsPath, s.metricsPort, timeout);
      case concurrency -> new MetricSource("concurrency", s.metricName, MetricSource.Kind.GAUGE, 1, s.metricsPath,
          s.metricsPort, timeout);
      case custom -> new MetricSource(s.metricName, s.metricName, MetricSource.Kind.AUTO, 1, s.metricsPath,
          s.metricsPort, timeout);
    };
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }
}
