package io.dustcloud.core.autoscale;

import java.time.Instant;

/**
 * A per-fleet autoscaling policy. Implementations keep the history their windows need, so
 * one instance serves one fleet; they are deterministic given their inputs (time is an
 * argument, never read from a clock), which is what lets the simulator replay a trace through
 * exactly the code that runs in the operator.
 */
public interface ScalingPolicy {
  /**
   * @param sample this tick's metric over the ready instances
   * @param current the total the fleet was last asked to have (ready or still booting)
   * @param now the tick's time
   */
  ScaleDecision decide(MetricSample sample, int current, Instant now);
}
