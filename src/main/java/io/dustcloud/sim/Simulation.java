package io.dustcloud.sim;

import io.dustcloud.core.autoscale.MetricSample;
import io.dustcloud.core.autoscale.ScaleDecision;
import io.dustcloud.core.autoscale.ScalingPolicy;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Replays a trace through one controller, second by second: the controller sees the fleet as
 * its real counterpart would (a {@link Fleet}), decides every {@code tick} seconds, and the
 * fleet follows (new instances serve after the boot delay; removals take instances still
 * booting first, then the newest).
 */
public final class Simulation {
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  /**
   * @param instanceSeconds instances existing, summed over every second (what is paid for)
   * @param unmetSeconds seconds in which demand exceeded what the serving instances could carry
   * @param unmetDemand demand not served, summed over the trace (requests, when demand is requests per second)
   * @param reactions seconds from each step up to serving the demand again; -1 if never before the next step
   * @param peak most instances at once
   * @param changes how many times the desired total changed (resize calls)
   */
  public record Result(String policy, long instanceSeconds, int unmetSeconds, double unmetDemand,
      List<Integer> reactions, int peak, int changes) {
    /** Mean reaction over the steps it recovered from; NaN without any. */
    public double meanReaction() {
      return reactions.stream().filter(r -> r >= 0).mapToInt(Integer::intValue).average().orElse(Double.NaN);
    }
  }

  /** Decides the fleet's total from what it can see of the fleet. */
  public interface Controller {
    /** @return the total the fleet should have from now on */
    int decide(Fleet fleet);

    /**
     * A {@link ScalingPolicy} fed the way the operator feeds it: one {@link MetricSample} of the
     * ready instances older than {@code initSeconds} (GCE's initialization period; 0 elsewhere).
     *
     * @param saturating whether the policy's metric stops at 100 % when the model says so (CPU);
     *     false for a metric that does not, like requests in flight
     */
    static Controller of(ScalingPolicy policy, int initSeconds, boolean saturating) {
      return f -> {
        int visible = f.serving(initSeconds);
        MetricSample sample = visible == 0 ? MetricSample.none(0)
            : new MetricSample(visible, visible, f.perInstance(f.second(), saturating) * visible, 0);
        ScaleDecision d = policy.decide(sample, f.current(), T0.plusSeconds(f.second()));
        return d.desired();
      };
    }
  }

  /**
   * What a controller can know of the fleet at a second: how many instances were asked for,
   * how long each has served, and the per-instance metric of every second so far (load spreads
   * evenly over serving instances, so every serving instance reports the same value).
   */
  public static final class Fleet {
    private final FleetModel model;
    private final List<Integer> started = new ArrayList<>();
    private final double[] load;
    private int second;
    private int current;

    Fleet(FleetModel model, int seconds, int start) {
      this.model = model;
      this.load = new double[seconds];
      this.current = start;
      for (int i = 0; i < start; i++) {
        // serving (and past any initialization period) before the trace starts
        started.add(-model.bootSeconds() - 3600);
      }
    }

    /** A fleet as it stands at {@code second}: instances started at the given seconds, every second's load so far. */
    static Fleet at(FleetModel model, int second, int current, List<Integer> startedAt, double[] load) {
      Fleet f = new Fleet(model, load.length, 0);
      f.started.addAll(startedAt);
      System.arraycopy(load, 0, f.load, 0, load.length);
      f.second = second;
      f.current = current;
      return f;
    }

    public int second() {
      return second;
    }

    /** The total last asked for (instances booting or serving). */
    public int current() {
      return current;
    }

    public int existing() {
      return started.size();
    }

    /** Instances that have served for at least {@code seconds} seconds. */
    public int serving(int seconds) {
      int n = 0;
      for (int t : started) {
        if (t + model.bootSeconds() + seconds <= second) {
          n++;
        }
      }
      return n;
    }

    /**
     * Each serving instance's metric at second {@code s} (s ≤ now), in percent of one
     * instance's capacity; with {@code saturating} and a saturating model, at most 100 (CPU).
     * 0 when nothing served.
     */
    public double perInstance(int s, boolean saturating) {
      double v = load[s];
      return saturating && model.saturate() ? Math.min(100, v) : v;
    }

    public FleetModel model() {
      return model;
    }
  }

  private Simulation() {}

  /** {@link #run(String, Controller, Trace, FleetModel, int, int, int, List)} for a policy on the model's metric. */
  public static Result run(String name, ScalingPolicy policy, Trace trace, FleetModel model, int tick, int phase,
      int start, List<Integer> steps) {
    return run(name, Controller.of(policy, model.initSeconds(), true), trace, model, tick, phase, start, steps);
  }

  /**
   * @param phase the second of the first decision: a baseline's loop is not synchronised with
   *     the trace, so it starts mid-period rather than exactly on a step
   * @param start instances serving at second 0
   */
  public static Result run(String name, Controller controller, Trace trace, FleetModel model, int tick, int phase,
      int start, List<Integer> steps) {
    Fleet f = new Fleet(model, trace.seconds(), start);
    long instanceSeconds = 0;
    int unmetSeconds = 0;
    double unmetDemand = 0;
    int peak = start;
    int changes = 0;
    boolean[] served = new boolean[trace.seconds()];
    for (int s = 0; s < trace.seconds(); s++) {
      f.second = s;
      double demand = trace.demand()[s];
      int ready = f.serving(0);
      f.load[s] = ready == 0 ? 0 : 100 * demand / ready / model.capacity();
      double unmet = demand - ready * model.capacity();
      served[s] = unmet <= 1e-9;
      if (!served[s]) {
        unmetSeconds++;
        unmetDemand += unmet;
      }
      instanceSeconds += f.started.size();
      if (s >= phase && (s - phase) % tick == 0) {
        int desired = controller.decide(f);
        if (desired != f.current) {
          changes++;
        }
        f.current = desired;
        resize(f.started, desired, s);
        peak = Math.max(peak, desired);
      }
    }
    return new Result(name, instanceSeconds, unmetSeconds, unmetDemand, reactions(steps, served), peak, changes);
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
