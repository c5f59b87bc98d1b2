package io.dustcloud.sim;

import io.dustcloud.core.autoscale.MetricSample;
import io.dustcloud.core.autoscale.ScaleDecision;
import io.dustcloud.core.autoscale.ScalingPolicy;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Replays a trace through one policy, second by second: the policy sees the metric of the
 * instances it can see (percent of one instance's capacity, like CPU), decides every
 * {@code tick} seconds, and the fleet follows (new instances serve after the boot delay;
 * removals take instances still booting first, then the newest).
 */
public final class Simulation {
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  /**
   * @param instanceSeconds instances existing, summed over every second (what is paid for)
   * @param unmetSeconds seconds in which demand exceeded what the serving instances could carry
   * @param unmetDemand demand not served, summed over the trace (demand-seconds)
   * @param reactions seconds from each step up to serving the demand again; -1 if never before the next step
   * @param peak most instances at once
   * @param changes how many times the desired total changed
   */
  public record Result(String policy, long instanceSeconds, int unmetSeconds, double unmetDemand,
      List<Integer> reactions, int peak, int changes) {
    /** Mean reaction over the steps it recovered from; NaN without any. */
    public double meanReaction() {
      return reactions.stream().filter(r -> r >= 0).mapToInt(Integer::intValue).average().orElse(Double.NaN);
    }
  }

  private Simulation() {}

  /**
   * @param phase the second of the first decision: a baseline's loop is not synchronised with
   *     the trace, so it starts mid-period rather than exactly on a step
   */
  public static Result run(String name, ScalingPolicy policy, Trace trace, FleetModel model, int tick, int phase,
      int start, List<Integer> steps) {
    List<Integer> started = new ArrayList<>();
    for (int i = 0; i < start; i++) {
      started.add(-model.bootSeconds() - model.initSeconds());
    }
    int current = start;
    long instanceSeconds = 0;
    int unmetSeconds = 0;
    double unmetDemand = 0;
    int peak = start;
    int changes = 0;
    boolean[] served = new boolean[trace.seconds()];
    for (int s = 0; s < trace.seconds(); s++) {
      double demand = trace.demand()[s];
      int ready = serving(started, s, model.bootSeconds());
      double unmet = demand - ready * model.capacity();
      served[s] = unmet <= 1e-9;
      if (!served[s]) {
        unmetSeconds++;
        unmetDemand += unmet;
      }
      instanceSeconds += started.size();
      if (s >= phase && (s - phase) % tick == 0) {
        int visible = serving(started, s, model.bootSeconds() + model.initSeconds());
        ScaleDecision d = policy.decide(sample(demand, ready, visible, model), current, T0.plusSeconds(s));
        if (d.desired() != current) {
          changes++;
        }
        current = d.desired();
        resize(started, current, s);
        peak = Math.max(peak, current);
      }
    }
    return new Result(name, instanceSeconds, unmetSeconds, unmetDemand, reactions(steps, served), peak, changes);
  }

  /** What the policy sees: each visible instance at its share of the load, in percent of capacity. */
  static MetricSample sample(double demand, int ready, int visible, FleetModel model) {
    if (visible == 0) {
      return MetricSample.none(0);
    }
    double load = 100 * demand / ready / model.capacity();
    double perInstance = model.saturate() ? Math.min(100, load) : load;
    return new MetricSample(visible, visible, perInstance * visible, 0);
  }

  private static int serving(List<Integer> started, int now, int after) {
    int n = 0;
    for (int t : started) {
      if (t + after <= now) {
        n++;
      }
    }
    return n;
  }

  private static void resize(List<Integer> started, int desired, int now) {
    while (started.size() < desired) {
      started.add(now);
    }
    // started is in start order: the newest (and any still booting) are at the end
    while (started.size() > desired) {
      started.remove(started.size() - 1);
    }
  }

  private static List<Integer> reactions(List<Integer> steps, boolean[] served) {
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < steps.size(); i++) {
      int from = steps.get(i);
      int until = i + 1 < steps.size() ? steps.get(i + 1) : served.length;
      int reaction = -1;
      for (int s = from; s < until; s++) {
        if (served[s]) {
          reaction = s - from;
          break;
        }
      }
      out.add(reaction);
    }
    return out;
  }
}
