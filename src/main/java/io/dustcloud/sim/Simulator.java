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
 * {@code core.autoscale} code the operator runs) and through an HPA-like and a GCE-like
 * baseline, and reports what each costs (instance-seconds) and how well it served (seconds of
 * unmet demand, reaction to each step up).
 */
public final class Simulator {
  /** Every knob of a run, with the defaults the operator uses. Metric values are percent of one instance's capacity. */
  public record Options(String policy, int min, int max, int tick, double target, int stableWindow,
      int panicWindow, double panicThreshold, double maxScaleUpRate, double maxScaleDownRate, int scaleDownDelay,
      double upThreshold, int upFor, double downThreshold, int downFor, FleetModel model, int start) {

    public static Options defaults() {
      return new Options("target", 1, 1000, 1, 70, 60, 6, 2.0, ScaleLimits.DEFAULT_MAX_SCALE_UP_RATE,
          ScaleLimits.DEFAULT_MAX_SCALE_DOWN_RATE, (int) ScaleLimits.DEFAULT_SCALE_DOWN_DELAY.toSeconds(),
          70, 10, ThresholdRule.Settings.DEFAULT_SCALE_DOWN_BELOW_CPU, 30, new FleetModel(1, 100, 0, false), 1);
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
          Duration.ofSeconds(panicWindow), panicThreshold), limits());
    }
  }

  /** The three runs over one trace. */
  public record Report(Trace trace, List<Integer> steps, Simulation.Result dustcloud, Simulation.Result hpa,
      Simulation.Result gce) {
    public List<Simulation.Result> all() {
      return List.of(dustcloud, hpa, gce);
    }

    /** Dustcloud's seconds of unmet demand over the baseline's (0 when neither left any unmet). */
    public static double unmetRatio(Simulation.Result ours, Simulation.Result baseline) {
      return ratio(ours.unmetSeconds(), baseline.unmetSeconds());
    }

    public static double instanceSecondsRatio(Simulation.Result ours, Simulation.Result baseline) {
      return ratio(ours.instanceSeconds(), baseline.instanceSeconds());
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
    ScalingPolicy hpa = PeriodicPolicy.hpaLike(o.target(), o.min(), o.max());
    ScalingPolicy gce = PeriodicPolicy.gceLike(o.target(), o.min(), o.max());
    // the baselines' 15 s loops start mid-period: in step with the trace they would look faster than they are
    int phase = 7;
    return new Report(trace, steps,
        Simulation.run("dustcloud-" + o.policy(), o.dustcloud(), trace, m, o.tick(), 0, o.start(), steps),
        Simulation.run("hpa-like", hpa, trace, m, 1, phase, o.start(), steps),
        Simulation.run("gce-like", gce, trace, m.withInit(60), 1, phase, o.start(), steps));
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
    out.printf(Locale.ROOT, "vs hpa-like: unmet %.2fx at %.2fx the instance-seconds%n",
        Report.unmetRatio(r.dustcloud(), r.hpa()), Report.instanceSecondsRatio(r.dustcloud(), r.hpa()));
    out.printf(Locale.ROOT, "vs gce-like: unmet %.2fx at %.2fx the instance-seconds%n",
        Report.unmetRatio(r.dustcloud(), r.gce()), Report.instanceSecondsRatio(r.dustcloud(), r.gce()));
  }

  static final String USAGE = """
      usage: java -jar dustcloud.jar simulate --trace FILE [options]
        --policy target|threshold   Dustcloud's policy (default target)
        --boot-seconds N            resize call to serving (default 1)
        --capacity X                demand one instance serves per second (default 100)
        --saturate                  the metric stops at 100 % (like CPU; default: it does not, like in-flight requests)
        --min N --max N             replicas (default 1, 1000); --start N instances at second 0 (default 1)
        --tick N                    seconds between decisions (default 1)
        --target P                  target tracking: percent of capacity per instance (default 70)
        --stable-window N --panic-window N --panic-threshold X   (default 60, 6, 2.0)
        --scale-up-above P --scale-up-for N --scale-down-below P --scale-down-for N   threshold (default 70, 10, 5, 30)
        --max-scale-up-rate X --max-scale-down-rate X --scale-down-delay N           (default 10, 2, 30)
      The baselines use the same --target, --min, --max and instance model.
      """;

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
    try {
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        if (a.equals("--saturate")) {
          saturate = true;
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
          case "--boot-seconds" -> boot = Integer.parseInt(v);
          case "--capacity" -> capacity = Double.parseDouble(v);
          case "--min" -> min = Integer.parseInt(v);
          case "--max" -> max = Integer.parseInt(v);
          case "--start" -> start = Integer.parseInt(v);
          case "--tick" -> tick = Integer.parseInt(v);
          case "--target" -> target = Double.parseDouble(v);
          case "--stable-window" -> stable = Integer.parseInt(v);
          case "--panic-window" -> panic = Integer.parseInt(v);
          case "--panic-threshold" -> panicThreshold = Double.parseDouble(v);
          case "--scale-up-above" -> up = Double.parseDouble(v);
          case "--scale-up-for" -> upFor = Integer.parseInt(v);
          case "--scale-down-below" -> down = Double.parseDouble(v);
          case "--scale-down-for" -> downFor = Integer.parseInt(v);
          case "--max-scale-up-rate" -> upRate = Double.parseDouble(v);
          case "--max-scale-down-rate" -> downRate = Double.parseDouble(v);
          case "--scale-down-delay" -> delay = Integer.parseInt(v);
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
          up, upFor, down, downFor, new FleetModel(boot, capacity, 0, saturate), start);
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
