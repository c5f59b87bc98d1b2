package io.dustcloud.bench;

import org.junit.jupiter.api.Test;

/**
 * Benchmark {@code capacity}: {@code probes_per_core_second} and {@code scrapes_per_core_second}
 * alone ({@link ScrapeCapacity}), without the rest of {@code health} and {@code autoscale}, which
 * report them too.
 */
class CapacityBench {
  @Test
  void capacity() throws Exception {
    BenchReport report = BenchReport.selected("capacity");
    ScrapeCapacity.probes(report);
    ScrapeCapacity.scrapes(report);
    report.write();
  }
}
