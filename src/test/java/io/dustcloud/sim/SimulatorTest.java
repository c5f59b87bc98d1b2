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
  }
}
