package io.dustcloud.sim;

import io.dustcloud.core.autoscale.MetricSample;
import io.dustcloud.core.autoscale.ScaleDecision;
import io.dustcloud.core.autoscale.ScalingPolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;

/**
 * Knative's pod autoscaler (KPA) with its defaults, as a peer for the simulator — not offered
 * to fleets. It follows {@code Scale} in knative/serving {@code pkg/autoscaler/scaling/autoscaler.go}:
 *
 * <ul>
 *   <li>the total metric (concurrency: it never saturates) averaged over a 60 s stable and a
 *       6 s panic window (10 % of the stable one);
 *   <li>{@code ceil(average / target)} pods for each window, kept within
 *       [{@code floor(ready / maxScaleDownRate)}, {@code ceil(ready × maxScaleUpRate)}]
 *       (2 and 1000), ready counted as at least 1;
 *   <li>panic while the panic window's pods over ready pods is at least 2 (200 %); it ends a
 *       whole stable window after that last held; in panic the larger of the two counts, and
 *       never fewer than the most asked for during the panic;
 *   <li>no scale-down delay; scale to zero off (the brief's comparison; Knative enables it).
 * </ul>
 *
 * Knative's collector scrapes every second and its decider ticks every 2 s: call this every
 * second; it records each sample and decides on every other call (holding in between).
 */
public final class Kpa implements ScalingPolicy {
  public static final int TICK_SECONDS = 2;
  static final Duration STABLE = Duration.ofSeconds(60);
  static final Duration PANIC = Duration.ofSeconds(6);
  static final double PANIC_THRESHOLD = 2.0;
  static final double MAX_SCALE_UP_RATE = 1000;
  static final double MAX_SCALE_DOWN_RATE = 2;

  private record Point(Instant at, double value) {}

  private final double target;
  private final int min;
  private final int max;
  private final ArrayDeque<Point> window = new ArrayDeque<>();
  private Instant panicTime;
  private int maxPanicPods;
  private Instant nextTick;

  /** @param target the metric's value one pod should carry (Knative: containerConcurrency × 70 %) */
  public Kpa(double target, int min, int max) {
    this.target = target;
    this.min = min;
    this.max = max;
  }

  @Override
  public ScaleDecision decide(MetricSample sample, int current, Instant now) {
    if (sample.hasData()) {
      window.addLast(new Point(now, sample.total()));
    }
    while (!window.isEmpty() && !window.peekFirst().at().isAfter(now.minus(STABLE))) {
      window.removeFirst();
    }
    if (nextTick != null && now.isBefore(nextTick)) {
      return new ScaleDecision(current, current, current, "kpa: between ticks", ScaleDecision.Cap.NONE,
          panicTime != null, sample.mean(), now);
    }
    nextTick = now.plusSeconds(TICK_SECONDS);
    if (window.isEmpty()) {
      return new ScaleDecision(current, current, current, "kpa: no data", ScaleDecision.Cap.NONE, false,
          Double.NaN, now);
    }
    double stable = mean(now, STABLE);
    double panic = mean(now, PANIC);
    double ready = Math.max(1, sample.ready());
    double maxUp = Math.ceil(MAX_SCALE_UP_RATE * ready);
    double maxDown = Math.floor(ready / MAX_SCALE_DOWN_RATE);
    double dspc = Math.ceil(stable / target - 1e-9);
    double dppc = Math.ceil(panic / target - 1e-9);
    int stablePods = (int) Math.min(Math.max(dspc, maxDown), maxUp);
    int panicPods = (int) Math.min(Math.max(dppc, maxDown), maxUp);
    boolean over = (panic / target) / ready >= PANIC_THRESHOLD;
    if (over) {
      panicTime = now;
    } else if (panicTime != null && panicTime.plus(STABLE).isBefore(now)) {
      panicTime = null;
      maxPanicPods = 0;
    }
    int desired = stablePods;
    if (panicTime != null) {
      desired = Math.max(desired, panicPods);
      // no scale-down while panicking
      maxPanicPods = Math.max(maxPanicPods, desired);
      desired = maxPanicPods;
    }
    int bounded = Math.max(Math.max(min, 1), Math.min(max, desired));
    return new ScaleDecision(bounded, current, desired, "kpa", ScaleDecision.Cap.NONE, panicTime != null,
        sample.mean(), now);
  }

  private double mean(Instant now, Duration span) {
    Instant from = now.minus(span);
    return window.stream().filter(p -> p.at().isAfter(from)).mapToDouble(Point::value).average().orElse(0);
  }
}
