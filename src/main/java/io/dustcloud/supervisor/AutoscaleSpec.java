package io.dustcloud.supervisor;

import io.dustcloud.core.autoscale.ScaleLimits;
import io.dustcloud.core.autoscale.ScalingPolicy;
import io.dustcloud.core.autoscale.TargetTracking;
import io.dustcloud.core.autoscale.ThresholdRule;
import java.time.Duration;

/**
 * How one fleet is autoscaled: the metric, the policy (exactly one of {@code target} and
 * {@code threshold}), the limits and how often a decision is made.
 */
public record AutoscaleSpec(MetricSource source, ScaleLimits limits, TargetTracking.Settings target,
    ThresholdRule.Settings threshold, Duration tick) {

  public AutoscaleSpec {
    if ((target == null) == (threshold == null)) {
      throw new IllegalArgumentException("exactly one of target and threshold");
    }
  }

  /** A fresh policy with empty windows. */
  public ScalingPolicy newPolicy() {
    return target != null ? new TargetTracking(target, limits) : new ThresholdRule(threshold, limits);
  }
}
