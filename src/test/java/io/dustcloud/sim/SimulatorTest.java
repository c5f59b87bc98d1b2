package io.dustcloud.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dustcloud.core.autoscale.ScaleLimits;
import io.dustcloud.core.autoscale.TargetTracking;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class SimulatorTest {
  @Test
  void tracesAcceptAHeaderCommentsAndGaps() {
    Trace t = Trace.parse("t", List.of("# comment", "second,demand", "0,10", "", "3, 40"));
    assertThat(t.demand()).containsExactly(10, 10, 10, 40);
    assertThatThrownBy(() -> Trace.parse("t", List.of("0,1", "0,2"))).hasMessageContaining("line 2");
    assertThatThrownBy(() -> Trace.parse("t", List.of("0,x"))).hasMessageContaining("expected second,demand");
  }

  @Test
  void stepsAreRisesOverTheRecentMean() {
    double[] d = new double[100];
    java.util.Arrays.fill(d, 100);
    java.util.Arrays.fill(d, 40, 100, 300);
    assertThat(new Trace("s", d).steps(1.3, 30)).containsExactly(40);
  }

  @Test
  void accountsInstanceSecondsUnmetDemandAndReaction() {
    // 2 instances of capacity 100 hold 150; at 10 demand jumps to 350: a policy that never
    // scales leaves 150 unmet every second from then on
    double[] d = new double[20];
    java.util.Arrays.fill(d, 0, 10, 150);
    java.util.Arrays.fill(d, 10, 20, 350);
    var hold = new TargetTracking(TargetTracking.Settings.of("x", 70), new ScaleLimits(2, 2, 10, 2, java.time.Duration.ZERO));
    var r = Simulation.run("hold", hold, new Trace("t", d), new FleetModel(1, 100, 0, false), 1, 0, 2, List.of(10));
    assertThat(r.instanceSeconds()).isEqualTo(40);
    assertThat(r.unmetSeconds()).isEqualTo(10);
    assertThat(r.unmetDemand()).isEqualTo(1500.0);
    assertThat(r.reactions()).containsExactly(-1);

    var follow = new TargetTracking(TargetTracking.Settings.of("x", 70), ScaleLimits.of(1, 10));
    var f = Simulation.run("follow", follow, new Trace("t", d), new FleetModel(2, 100, 0, false), 1, 0, 3, List.of(10));
    // at 10 the 6 s peak (350) asks for 5 at once, serving 2 s later
    assertThat(f.reactions()).containsExactly(2);
    assertThat(f.unmetSeconds()).isEqualTo(2);
  }

  @Test
  void theCommandLineReportsAllThreePolicies() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = Simulator.main(new String[] {"--trace", "examples/traces/step.csv", "--policy", "threshold"},
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    String text = out.toString(StandardCharsets.UTF_8);
    assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
    assertThat(text).contains("dustcloud-threshold", "kpa", "hpa", "gce-like", "vs kpa: unmet demand");
    assertThat(Simulator.main(new String[] {"--policy", "nope"}, new PrintStream(out), new PrintStream(err)))
        .isEqualTo(2);
    ByteArrayOutputStream bad = new ByteArrayOutputStream();
    assertThat(Simulator.main(new String[] {"--trace", "examples/traces/step.csv", "--boot-seconds", "slow"},
        new PrintStream(out), new PrintStream(bad, true, StandardCharsets.UTF_8))).isEqualTo(2);
    assertThat(bad.toString(StandardCharsets.UTF_8)).contains("--boot-seconds needs a whole number, got 'slow'");
  }

  @Test
  void aSteadyStartBeginsWithWhatTheFirstDemandNeedsAndEveryPeerStartsThere() {
    Trace t = new Trace("flat", filled(600, 1000));
    Simulator.Report r = Simulator.run(t, Simulator.Options.defaults());
    // 1000 at 70 % of 100 per instance: 15 instances, and nothing to do for anyone
    for (Simulation.Result x : r.all()) {
      assertThat(x.instanceSeconds()).as(x.policy()).isEqualTo(15L * 600);
      assertThat(x.unmetDemand()).as(x.policy()).isZero();
      assertThat(x.changes()).as(x.policy()).isZero();
    }
    Simulator.Options cold = new Simulator.Options("target", 1, 1000, 1, 70, 60, 6, 2.0, 10, 2, 30, 70, 10, 5, 30,
        new FleetModel(1, 100, 0, false), 1, false);
    assertThat(Simulator.run(t, cold).kpa().unmetDemand()).as("cold: one instance against 1000").isPositive();
  }

  @Test
  void aSaturatingMetricBlindsTheCpuScalersButNotKpaWhichScalesOnConcurrency() {
    double[] d = filled(900, 300);
    java.util.Arrays.fill(d, 300, 900, 3000);
    Trace t = new Trace("jump", d);
    FleetModel open = new FleetModel(30, 100, 0, false);
    Simulator.Options o = Simulator.Options.defaults().withModel(open);
    Simulator.Report seeing = Simulator.run(t, o);
    Simulator.Report saturated = Simulator.run(t, o.withModel(new FleetModel(30, 100, 0, true)));
    assertThat(saturated.kpa()).isEqualTo(seeing.kpa());
    assertThat(saturated.hpa().unmetDemand()).isGreaterThan(seeing.hpa().unmetDemand());
    // Dustcloud grows a saturated fleet 2x its reading per boot: a 10x jump costs it a few boots,
    // HPA's 100/70 per decision (at most) many more
    assertThat(saturated.dustcloud().unmetDemand()).isLessThan(0.5 * saturated.hpa().unmetDemand());
  }

  @Test
  void ratiosCompareUnmetDemandResizesAndInstanceSeconds() {
    var a = new Simulation.Result("a", 100, 3, 50, List.of(), 1, 4);
    var b = new Simulation.Result("b", 200, 6, 200, List.of(), 1, 2);
    assertThat(Simulator.Report.unmetRatio(a, b)).isEqualTo(0.25);
    assertThat(Simulator.Report.unmetSecondsRatio(a, b)).isEqualTo(0.5);
    assertThat(Simulator.Report.resizesRatio(a, b)).isEqualTo(2.0);
    assertThat(Simulator.Report.instanceSecondsRatio(a, b)).isEqualTo(0.5);
  }

  static double[] filled(int n, double v) {
    double[] d = new double[n];
    java.util.Arrays.fill(d, v);
    return d;
  }
}
