package io.dustcloud.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ReactiveFloorTest {
  /**
   * 20 s: demand {@code before} until second 10, then {@code after}; capacity 100, target 70.
   * Unmet is what the instances asked for at the highest demand seen one boot earlier leave.
   */
  @ParameterizedTest(name = "{0} -> {1}, boot {2}, start {3}: {4} unmet")
  @CsvSource({
      // flat: the start carries it
      "100, 100, 5, 2, 0",
      // a rise waits one boot on the start's 200: 300 a second for 5 s
      "100, 500, 5, 2, 1500",
      // 1 s boots: one second of it
      "100, 500, 1, 2, 300",
      // a rise the start already covers
      "100, 180, 5, 2, 0",
      // a fall: never released, so never short
      "500, 100, 5, 8, 0",
      // a cold start of 1 against 100: short until the first second's demand has booted
      "150, 150, 3, 1, 150"})
  void unmetIsWhatTheHighestDemandSeenOneBootEarlierLeaves(double before, double after, int boot, int start,
      double unmet) {
    double[] d = new double[20];
    java.util.Arrays.fill(d, 0, 10, before);
    java.util.Arrays.fill(d, 10, 20, after);
    assertThat(ReactiveFloor.unmetDemand(new Trace("t", d), new FleetModel(boot, 100, 0, false), 70, start))
        .isEqualTo(unmet);
  }

  /** The peers size for their target from what they saw: none of them leaves less than the floor. */
  @ParameterizedTest(name = "boot {0}")
  @ValueSource(ints = {1, 30})
  void noPeerLeavesLessThanTheFloorOnAnyShippedTrace(int boot) throws Exception {
    List<Path> files;
    try (Stream<Path> s = Files.list(Path.of("examples", "traces"))) {
      files = s.filter(p -> p.toString().endsWith(".csv")).sorted().toList();
    }
    assertThat(files).isNotEmpty();
    for (Path file : files) {
      Trace trace = Trace.read(file);
      Simulator.Options o = Simulator.Options.defaults().withModel(new FleetModel(boot, 100, 0, false));
      Simulator.Report r = Simulator.run(trace, o);
      double floor = ReactiveFloor.unmetDemand(trace, o.model(), o.target(), o.startFor(trace));
      assertThat(floor).as("%s at %d s boots", trace.name(), boot).isPositive();
      for (Simulation.Result peer : r.peers()) {
        assertThat(peer.unmetDemand()).as("%s on %s at %d s boots", peer.policy(), trace.name(), boot)
            .isGreaterThanOrEqualTo(floor);
      }
    }
  }
}
