package io.dustcloud.bench;

import io.dustcloud.sim.FleetModel;
import io.dustcloud.sim.Simulator;
import io.dustcloud.sim.Trace;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The {@code autoscale} benchmark's simulator figures: Dustcloud's policy against its peers. */
final class SimulatorRatios {
  private SimulatorRatios() {}

  static final int[] BOOTS = {1, 30};

  /**
   * For every shipped trace and boot time, from a steady start: Dustcloud's unmet demand
   * (requests) against KPA, HPA and GCE-like, its instance-seconds against KPA's and its resizes
   * against HPA's. The plain figures use a metric that does not saturate (requests in flight —
   * what KPA scales on); the {@code _cpu_} ones let CPU saturate for Dustcloud, HPA and
   * GCE-like (KPA still scales on concurrency).
   */
  static void put(BenchReport report) throws Exception {
    List<Path> files;
    try (Stream<Path> s = Files.list(Path.of("examples", "traces"))) {
      files = s.filter(p -> p.toString().endsWith(".csv")).sorted().toList();
    }
    if (files.isEmpty()) {
      throw new AssertionError("no traces under examples/traces");
    }
    List<Goal> goals = new java.util.ArrayList<>();
    for (Path file : files) {
      Trace trace = Trace.read(file);
      for (int boot : BOOTS) {
        for (boolean cpu : new boolean[] {false, true}) {
          Simulator.Options o = Simulator.Options.defaults().withModel(new FleetModel(boot, 100, 0, cpu));
          Simulator.Report r = Simulator.run(trace, o);
          String k = trace.name() + "_boot" + boot + (cpu ? "_cpu" : "");
          report.put(k + "_unmet_ratio_vs_kpa", Simulator.Report.unmetRatio(r.dustcloud(), r.kpa()));
          report.put(k + "_instance_seconds_ratio_vs_kpa", Simulator.Report.instanceSecondsRatio(r.dustcloud(), r.kpa()));
          report.put(k + "_unmet_ratio_vs_hpa", Simulator.Report.unmetRatio(r.dustcloud(), r.hpa()));
          report.put(k + "_unmet_ratio_vs_gce", Simulator.Report.unmetRatio(r.dustcloud(), r.gce()));
          report.put(k + "_resizes_ratio_vs_hpa", Simulator.Report.resizesRatio(r.dustcloud(), r.hpa()));
          report.put(k + "_resizes", r.dustcloud().changes());
          if (!cpu) {
            report.put(k + "_unmet_floor", Math.round(r.unmetFloor()));
            double floorKpa = r.floorRatio(r.kpa());
            double floorHpa = r.floorRatio(r.hpa());
            double floorGce = r.floorRatio(r.gce());
            report.put(k + "_unmet_floor_ratio_vs_kpa", floorKpa);
            report.put(k + "_unmet_floor_ratio_vs_hpa", floorHpa);
            report.put(k + "_unmet_floor_ratio_vs_gce", floorGce);
            goals.add(new Goal(k + "_unmet_vs_kpa", Simulator.Report.unmetRatio(r.dustcloud(), r.kpa()),
                boot == 1 ? 0.5 : 0.7, floorKpa));
            goals.add(new Goal(k + "_instance_seconds_vs_kpa",
                Simulator.Report.instanceSecondsRatio(r.dustcloud(), r.kpa()), 1.05, Double.NaN));
            goals.add(new Goal(k + "_unmet_vs_hpa", Simulator.Report.unmetRatio(r.dustcloud(), r.hpa()), 0.5, floorHpa));
            goals.add(new Goal(k + "_unmet_vs_gce", Simulator.Report.unmetRatio(r.dustcloud(), r.gce()), 0.5, floorGce));
            goals.add(new Goal(k + "_resizes_vs_hpa", Simulator.Report.resizesRatio(r.dustcloud(), r.hpa()), 2,
                Double.NaN));
          }
        }
      }
    }
    List<Goal> missed = goals.stream().filter(g -> !g.met()).toList();
    report.put("simulator_goals", goals.size());
    report.put("simulator_goals_met", goals.size() - missed.size());
    report.put("simulator_goals_beyond_reactive_floor", missed.stream().filter(Goal::beyondFloor).count());
    report.put("simulator_goals_missed", String.join(" ", missed.stream().map(Goal::describe).toList()));
  }

  /**
   * One of issue 20's goals for the simulator: Dustcloud's ratio against a peer, its limit, and
   * (for unmet demand) the reactive floor's ratio against the same peer — a floor above the
   * limit puts the goal out of reach of any policy that reacts at the target.
   */
  record Goal(String name, double value, double limit, double floorRatio) {
    boolean met() {
      return value <= limit;
    }

    boolean beyondFloor() {
      return floorRatio > limit;
    }

    String describe() {
      return String.format(java.util.Locale.ROOT, "%s=%.2f(goal<=%.2f%s)", name, value, limit,
          Double.isNaN(floorRatio) ? "" : String.format(java.util.Locale.ROOT, ",floor=%.2f", floorRatio));
    }
  }
}
