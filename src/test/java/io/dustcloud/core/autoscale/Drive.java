package io.dustcloud.core.autoscale;

import io.dustcloud.testing.MutableClock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Drives a policy one second at a time against a fake fleet: the fleet becomes what the
 * policy decided, its new instances ready {@code boot} ticks later; the load is spread evenly
 * over the ready instances.
 */
final class Drive {
  /** What the ready instances report at a tick: demand (in metric units) and scrape gaps. */
  interface Load {
    MetricSample at(int tick, int ready);
  }

  /** One table row of a policy test: a policy, a starting fleet, a load over time and what the decisions must show. */
  record Case(String name, java.util.function.Supplier<ScalingPolicy> policy, int start, int boot, Load load,
      int ticks, java.util.function.Consumer<List<ScaleDecision>> check) {
    @Override
    public String toString() {
      return name;
    }

    void verify() {
      check.accept(new Drive(policy.get(), start, boot).run(load, ticks));
    }
  }

  /** Demand spread evenly over all ready instances; every scrape answers. */
  static Load demand(java.util.function.IntToDoubleFunction demand) {
    return (t, ready) -> spread(demand.applyAsDouble(t), ready, 0);
  }

  /** Demand spread evenly over the ready instances, each reading at most {@code cap} (CPU at a core). */
  static Load saturating(java.util.function.IntToDoubleFunction demand, double cap) {
    return (t, ready) -> ready == 0 ? MetricSample.none(0)
        : new MetricSample(ready, ready, Math.min(cap, demand.applyAsDouble(t) / ready) * ready, 0);
  }

  /** {@code demand} spread over {@code ready}, {@code missing} of them not answering. */
  static MetricSample spread(double demand, int ready, int missing) {
    if (ready == 0) {
      return MetricSample.none(0);
    }
    int scraped = Math.max(0, ready - missing);
    return new MetricSample(ready, scraped, demand / ready * scraped, ready - scraped);
  }

  private final ScalingPolicy policy;
  private final MutableClock clock = new MutableClock();
  private final Deque<Integer> booting = new ArrayDeque<>();
  private final int boot;
  private int current;
  final List<ScaleDecision> decisions = new ArrayList<>();

  Drive(ScalingPolicy policy, int start, int boot) {
    this.policy = policy;
    this.current = start;
    this.boot = boot;
    for (int i = 0; i < boot; i++) {
      booting.add(start);
    }
  }

  List<ScaleDecision> run(Load load, int ticks) {
    for (int t = 0; t < ticks; t++) {
      // ready = what was asked for `boot` ticks ago, but never more than exists now
      int ready = Math.min(current, boot == 0 ? current : booting.peekFirst());
      ScaleDecision d = policy.decide(load.at(t, ready), current, clock.instant());
      decisions.add(d);
      current = d.desired();
      if (boot > 0) {
        booting.removeFirst();
        booting.addLast(current);
      }
      clock.advance(Duration.ofSeconds(1));
    }
    return decisions;
  }

  static List<Integer> desired(List<ScaleDecision> ds) {
    return ds.stream().map(ScaleDecision::desired).toList();
  }

  /** How many times the desired total changed. */
  static long changes(List<ScaleDecision> ds) {
    return ds.stream().filter(ScaleDecision::changed).count();
  }
}
