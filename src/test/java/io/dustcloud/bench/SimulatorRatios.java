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
        }
      }
    }
  }
}
