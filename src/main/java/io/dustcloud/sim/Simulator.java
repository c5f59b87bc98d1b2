package io.dustcloud.sim;

import io.dustcloud.core.autoscale.PeriodicPolicy;
import io.dustcloud.core.autoscale.ScaleLimits;
import io.dustcloud.core.autoscale.ScalingPolicy;
import io.dustcloud.core.autoscale.TargetTracking;
import io.dustcloud.core.autoscale.ThresholdRule;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code dustcloud simulate}: replays a demand trace through Dustcloud's policy (the same
 * {@code core.autoscale} code the operator runs) and through three peers — Knative's KPA,
 * Kubernetes' HPA and a GCE-like autoscaler, each with its defaults — and reports what each
 * costs (instance-seconds, resizes) and how well it served (unmet demand, reaction to each
 * step up).
 */
public final class Simulator {
  /** Every knob of a run, with the defaults the operator uses. Metric values are percent of one instance's capacity. */
  public record Options(String policy, int min, int max, int tick, double target, int stableWindow,
      int panicWindow, double panicThreshold, double maxScaleUpRate, double maxScaleDownRate, int scaleDownDelay,
      double upThreshold, int upFor, double downThreshold, int downFor, FleetModel model, int start, boolean steady) {

    /** The operator's defaults; a steady start, 1 s boots, a metric that does not saturate. */
    public static Options defaults() {
      return new Options("target", 1, 1000, 1, 70, 60, 6, 2.0, ScaleLimits.DEFAULT_MAX_SCALE_UP_RATE,
          ScaleLimits.DEFAULT_MAX_SCALE_DOWN_RATE, (int) ScaleLimits.DEFAULT_SCALE_DOWN_DELAY.toSeconds(),
          70, 10, ThresholdRule.Settings.DEFAULT_SCALE_DOWN_BELOW_CPU, 30, new FleetModel(1, 100, 0, false), 1, true);
    }

    public Options withModel(FleetModel m) {
      return new Options(policy, min, max, tick, target, stableWindow, panicWindow, panicThreshold, maxScaleUpRate,
          maxScaleDownRate, scaleDownDelay, upThreshold, upFor, downThreshold, downFor, m, start, steady);
    }

    /** Instances at second 0: steady, what the trace's first demand needs at the target (within min/max). */
    public int startFor(Trace trace) {
      if (!steady) {
        return start;
      }
      int needed = (int) Math.ceil(trace.demand()[0] / (model.capacity() * target / 100) - 1e-9);
      return Math.max(Math.max(1, min), Math.min(max, needed));
    }

    ScaleLimits limits() {
      return new ScaleLimits(min, max, maxScaleUpRate, maxScaleDownRate, Duration.ofSeconds(scaleDownDelay));
    }

    /** Dustcloud's policy as the operator would build it from a spec with these settings. */
    ScalingPolicy dustcloud() {
      if (policy.equals("threshold")) {
        return new ThresholdRule(new ThresholdRule.Settings("load", upThreshold, Duration.ofSeconds(upFor),
            downThreshold, Duration.ofSeconds(downFor)), limits());
      }
      return new TargetTracking(new TargetTracking.Settings("load", target, Duration.ofSeconds(stableWindow),
          Duration.ofSeconds(panicWindow), panicThreshold, model.saturate() ? 100 : Double.NaN), limits());
    }
  }

  /**
   * The four runs over one trace, and the unmet demand no policy that reacts at the target can
   * go below ({@link ReactiveFloor}).
   */
  public record Report(Trace trace, List<Integer> steps, Simulation.Result dustcloud, Simulation.Result kpa,
      Simulation.Result hpa, Simulation.Result gce, double unmetFloor) {
    public List<Simulation.Result> all() {
      return List.of(dustcloud, kpa, hpa, gce);
    }

    public List<Simulation.Result> peers() {
      return List.of(kpa, hpa, gce);
    }

    /** Dustcloud's unmet demand (requests) over the peer's (0 when neither left any unmet). */
    public static double unmetRatio(Simulation.Result ours, Simulation.Result baseline) {
      return ratio(ours.unmetDemand(), baseline.unmetDemand());
    }

    /** Dustcloud's seconds with unmet demand over the peer's. */
    public static double unmetSecondsRatio(Simulation.Result ours, Simulation.Result baseline) {
      return ratio(ours.unmetSeconds(), baseline.unmetSeconds());
    }

    public static double resizesRatio(Simulation.Result ours, Simulation.Result baseline) {
      return ratio(ours.changes(), baseline.changes());
    }

    public static double instanceSecondsRatio(Simulation.Result ours, Simulation.Result baseline) {
      return ratio(ours.instanceSeconds(), baseline.instanceSeconds());
    }

    /** The reactive floor's unmet demand over the peer's: above a goal's limit, no reacting policy meets it. */
    public double floorRatio(Simulation.Result baseline) {
      return ratio(unmetFloor, baseline.unmetDemand());
    }

    private static double ratio(double ours, double baseline) {
      if (baseline == 0) {
        return ours == 0 ? 0 : Double.POSITIVE_INFINITY;
      }
      return ours / baseline;
    }
  }

  private Simulator() {}

  public static Report run(Trace trace, Options o) {
    List<Integer> steps = trace.steps(1.3, 30);
    FleetModel m = o.model();
    int start = o.startFor(trace);
    ScalingPolicy gce = PeriodicPolicy.gceLike(o.target(), o.min(), o.max());
    // the peers' loops start mid-period: in step with the trace they would look faster than they are
    int phase = 7;
    return new Report(trace, steps,
        Simulation.run("dustcloud-" + o.policy(), o.dustcloud(), trace, m, o.tick(), 0, start, steps),
        // Knative scales on concurrency, measured at the queue-proxy: it never saturates
        Simulation.run("kpa", Simulation.Controller.of(new Kpa(o.target(), o.min(), o.max()), 0, false), trace, m, 1,
            1, start, steps),
        Simulation.run("hpa", new Hpa(o.target(), o.min(), o.max()), trace, m, Hpa.PERIOD_SECONDS, phase, start,
            steps),
        // GCE leaves instances out of the average for its 60 s initialization period
        Simulation.run("gce-like", Simulation.Controller.of(gce, 60, true), trace, m, 1, phase, start, steps),
        ReactiveFloor.unmetDemand(trace, m, o.target(), start));
  }

  public static void print(Report r, PrintStream out) {
    out.printf(Locale.ROOT, "trace %s: %d s, %d steps up at %s%n", r.trace().name(), r.trace().seconds(),
        r.steps().size(), r.steps());
    out.printf(Locale.ROOT, "%-18s %16s %13s %14s %13s %6s %8s  %s%n", "policy", "instance-seconds", "unmet-seconds",
        "unmet-demand", "mean-reaction", "peak", "resizes", "reaction per step (s; -1 = not before the next)");
    for (Simulation.Result x : r.all()) {
      out.printf(Locale.ROOT, "%-18s %16d %13d %14.0f %12.1fs %6d %8d  %s%n", x.policy(), x.instanceSeconds(),
          x.unmetSeconds(), x.unmetDemand(), x.meanReaction(), x.peak(), x.changes(), x.reactions());
    }
    out.printf(Locale.ROOT, "%-18s %16s %13s %14.0f   (what sizing at the target for the highest demand seen, never releasing, leaves)%n",
        "reactive floor", "", "", r.unmetFloor());
    for (Simulation.Result peer : r.peers()) {
      out.printf(Locale.ROOT, "vs %s: unmet demand %.2fx, unmet seconds %.2fx, at %.2fx the instance-seconds and %.2fx the resizes%n",
          peer.policy(), Report.unmetRatio(r.dustcloud(), peer), Report.unmetSecondsRatio(r.dustcloud(), peer),
          Report.instanceSecondsRatio(r.dustcloud(), peer), Report.resizesRatio(r.dustcloud(), peer));
    }
  }

  static final String USAGE = """
      usage: java -jar dustcloud.jar simulate --trace FILE [options]
        --policy target|threshold   Dustcloud's policy (default target)
        --boot-seconds N            resize call to serving (default 1)
        --capacity X                demand one instance serves per second (default 100)
        --saturate                  the metric stops at 100 % like CPU, for Dustcloud, hpa and gce-like (default: it
                                    does not, like requests in flight); kpa scales on concurrency, which never saturates
        --min N --max N             replicas (default 1, 1000)
        --steady                    start with what the first second's demand needs at the target (the default)
        --start N                   cold start: N instances at second 0
        --tick N                    seconds between decisions (default 1)
        --target P                  target tracking: percent of capacity per instance (default 70)
        --stable-window N --panic-window N --panic-threshold X   (default 60, 6, 2.0)
        --scale-up-above P --scale-up-for N --scale-down-below P --scale-down-for N   threshold (default 70, 10, 5, 30)
        --max-scale-up-rate X --max-scale-down-rate X --scale-down-delay N           (default 10, 2, 30)
      The peers (kpa, hpa, gce-like) use the same --target, --min, --max and instance model, and their own defaults.
      """;

  private static int whole(String option, String v) {
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(option + " needs a whole number, got '" + v + "'");
    }
  }

  private static double number(String option, String v) {
    try {
      return Double.parseDouble(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(option + " needs a number, got '" + v + "'");
    }
  }

  /** The command line; returns the exit status. */
  public static int main(String[] args, PrintStream out, PrintStream err) {
    Options d = Options.defaults();
    List<Path> traces = new ArrayList<>();
    String policy = d.policy();
    int min = d.min(), max = d.max(), tick = d.tick(), stable = d.stableWindow(), panic = d.panicWindow();
    int delay = d.scaleDownDelay(), upFor = d.upFor(), downFor = d.downFor(), start = d.start();
    int boot = d.model().bootSeconds();
    double target = d.target(), panicThreshold = d.panicThreshold(), upRate = d.maxScaleUpRate();
    double downRate = d.maxScaleDownRate(), up = d.upThreshold(), down = d.downThreshold();
    double capacity = d.model().capacity();
    boolean saturate = false;
    boolean steady = d.steady();
    try {
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        if (a.equals("--saturate")) {
          saturate = true;
          continue;
        }
        if (a.equals("--steady")) {
          steady = true;
          continue;
        }
        if (a.equals("-h") || a.equals("--help")) {
          out.print(USAGE);
          return 0;
        }
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException(a + " needs a value");
        }
        String v = args[++i];
        switch (a) {
          case "--trace" -> traces.add(Path.of(v));
          case "--policy" -> policy = v;
          case "--boot-seconds" -> boot = whole(a, v);
          case "--capacity" -> capacity = number(a, v);
          case "--min" -> min = whole(a, v);
          case "--max" -> max = whole(a, v);
          case "--start" -> {
            start = whole(a, v);
            steady = false;
          }
          case "--tick" -> tick = whole(a, v);
          case "--target" -> target = number(a, v);
          case "--stable-window" -> stable = whole(a, v);
          case "--panic-window" -> panic = whole(a, v);
          case "--panic-threshold" -> panicThreshold = number(a, v);
          case "--scale-up-above" -> up = number(a, v);
          case "--scale-up-for" -> upFor = whole(a, v);
          case "--scale-down-below" -> down = number(a, v);
          case "--scale-down-for" -> downFor = whole(a, v);
          case "--max-scale-up-rate" -> upRate = number(a, v);
          case "--max-scale-down-rate" -> downRate = number(a, v);
          case "--scale-down-delay" -> delay = whole(a, v);
          default -> throw new IllegalArgumentException("unknown option " + a);
        }
      }
      if (traces.isEmpty()) {
        throw new IllegalArgumentException("--trace FILE is required");
      }
      if (!policy.equals("target") && !policy.equals("threshold")) {
        throw new IllegalArgumentException("--policy must be target or threshold");
      }
      if (tick < 1) {
        throw new IllegalArgumentException("--tick must be at least 1");
      }
      Options o = new Options(policy, min, max, tick, target, stable, panic, panicThreshold, upRate, downRate, delay,
          up, upFor, down, downFor, new FleetModel(boot, capacity, 0, saturate), start, steady);
      for (Path trace : traces) {
        print(run(Trace.read(trace), o), out);
      }
      return 0;
    } catch (IllegalArgumentException e) {
      err.println("simulate: " + e.getMessage());
      err.print(USAGE);
      return 2;
    } catch (java.io.IOException e) {
      err.println("simulate: cannot read trace: " + e.getMessage());
      return 1;
    }
  }
}
