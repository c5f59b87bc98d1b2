package io.dustcloud.core.autoscale;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.IntToDoubleFunction;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Properties of target tracking over a seeded random table (jqwik is not on the classpath):
 * fleets of random bounds, boot times, targets, saturating or not, under random demand. The
 * seed is fixed, so a failure names its row and replays exactly.
 */
class TargetTrackingPropertiesTest {
  static final int ROWS = 150;

  /** One random fleet: its policy's settings, how it boots and whether its metric stops at 100 per instance. */
  record Row(int index, int min, int max, int start, int boot, double target, boolean saturates, String shape,
      IntToDoubleFunction demand) {
    @Override
    public String toString() {
      return String.format("#%d %s min %d max %d start %d boot %d target %.0f%s", index, shape, min, max, start, boot,
          target, saturates ? " saturating" : "");
    }

    /** The same fleet under another demand. */
    Row with(String shape, IntToDoubleFunction demand) {
      return new Row(index, min, max, start, boot, target, saturates, shape, demand);
    }

    /** {@code n} within this fleet's bounds (never below one instance). */
    int clamp(int n) {
      return Math.max(Math.max(min, 1), Math.min(max, n));
    }

    TargetTracking policy() {
      TargetTracking.Settings s = TargetTracking.Settings.of("load", target);
      return new TargetTracking(saturates ? s.withSaturation(100) : s, new ScaleLimits(min, max, 10, 2,
          Duration.ofSeconds(30)));
    }

    List<ScaleDecision> run(int ticks) {
      Drive.Load load = (t, ready) -> {
        if (ready == 0) {
          return MetricSample.none(0);
        }
        double perInstance = demand.applyAsDouble(t) / ready;
        // CPU-like: an instance reads at most 100 however much more it is offered
        return MetricSample.of(repeat(saturates ? Math.min(100, perInstance) : perInstance, ready));
      };
      return new Drive(policy(), start, boot).run(load, ticks);
    }
  }

  static double[] repeat(double v, int n) {
    double[] out = new double[n];
    java.util.Arrays.fill(out, v);
    return out;
  }

  static Stream<Row> rows() {
    Random r = new Random(20);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < ROWS; i++) {
      int min = r.nextInt(4);
      int max = Math.max(1, min) + r.nextInt(40);
      int start = Math.max(1, min) + r.nextInt(max - Math.max(1, min) + 1);
      int boot = new int[] {0, 1, 5, 30}[r.nextInt(4)];
      double target = 20 + r.nextInt(71);
      boolean saturates = r.nextBoolean();
      double base = 10 + r.nextDouble() * 2000;
      long seed = r.nextLong();
      int shape = r.nextInt(5);
      IntToDoubleFunction demand = switch (shape) {
        case 0 -> t -> base;
        case 1 -> t -> t < 100 ? base : base * 3;
        case 2 -> t -> base * (1 + t / 200.0);
        case 3 -> {
          Random noise = new Random(seed);
          double[] d = new double[600];
          for (int k = 0; k < d.length; k++) {
            d[k] = base * (1 + 0.3 * (noise.nextDouble() * 2 - 1));
          }
          yield t -> d[t];
        }
        default -> t -> t % 150 < 10 ? base * 8 : base / 4;
      };
      rows.add(new Row(i, min, max, start, boot, target, saturates,
          new String[] {"flat", "step", "ramp", "noise", "spikes"}[shape], demand));
    }
    return rows.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  void neverBelowMinNorAboveMax(Row row) {
    List<ScaleDecision> ds = row.run(600);
    int floor = Math.max(row.min(), 1);
    for (int t = 0; t < ds.size(); t++) {
      assertThat(ds.get(t).desired()).as("tick %d: %s", t, ds.get(t).reason()).isBetween(floor, row.max());
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  void settlesWithoutOscillatingOnFlatDemand(Row random) {
    double flat = random.demand().applyAsDouble(0);
    settles(random, flat);
    // exactly at the target per instance: a CPU fleet there reads close to its cap, which
    // must not look like saturation
    settles(random, random.target() * TargetTracking.instancesFor(flat, random.target()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  void shedsWhatALowerDemandNoLongerNeedsInFewResizes(Row random) {
    double base = random.demand().applyAsDouble(0);
    Row row = random.with("drop", t -> t < 100 ? 3 * base : base);
    List<ScaleDecision> ds = row.run(600);
    List<Integer> n = Drive.desired(ds);
    int need = row.clamp(TargetTracking.instancesFor(base, row.target()));
    int before = n.get(99);
    // the scale-down delay, the rate (halving per decision) and saturated growth are behind by 400
    assertThat(n.get(599)).as("down to what %s needs", base).isBetween(need, (int) (need / 0.85) + 1);
    assertThat(n.subList(100, 600)).as("never under it").allMatch(k -> k >= need);
    long downs = ds.subList(100, 600).stream().filter(d -> d.desired() < d.previous()).count();
    // halvings where maxScaleDownRate forces them, then one more: never a staircase as the delay releases
    int halvings = before > need ? (int) Math.ceil(Math.log((double) before / need) / Math.log(2)) : 0;
    assertThat(downs).as("scale-downs from %d to %d", before, n.get(599)).isLessThanOrEqualTo(halvings + 1);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  void shedsABurstIntoNoisyDemandToo(Row random) {
    // noise keeps what the scale-down delay holds up: waiting for it to release must end
    double base = random.demand().applyAsDouble(0);
    Random noise = new Random(random.index());
    double[] d = new double[600];
    for (int t = 0; t < d.length; t++) {
      d[t] = t < 100 ? 3 * base : base * (1 + 0.3 * (noise.nextDouble() * 2 - 1));
    }
    List<Integer> n = Drive.desired(random.with("drop into noise", t -> d[t]).run(600));
    int top = random.clamp((int) (TargetTracking.instancesFor(1.3 * base, random.target()) / 0.85) + 1);
    assertThat(n.get(599)).as("within a scale-down step of what the noise's top needs").isLessThanOrEqualTo(top);
  }

  /** The rows whose metric does not saturate: a saturated fleet grows by doubling what it reads, without a margin. */
  static Stream<Row> unsaturatedRows() {
    return rows().filter(r -> !r.saturates());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("unsaturatedRows")
  void aJumpsMarginIsTrimmedOnFastBootsAndKeptOnSlowOnes(Row random) {
    double base = random.demand().applyAsDouble(0);
    Row row = random.with("jump", t -> t < 100 ? base : 3 * base);
    List<Integer> n = Drive.desired(row.run(600));
    int need = row.clamp(TargetTracking.instancesFor(3 * base, row.target()));
    if (row.boot() <= TargetTracking.Settings.DEFAULT_PANIC_WINDOW.toSeconds()) {
      assertThat(n.get(599)).as("a fast-booting fleet ends at what %s needs", 3 * base).isEqualTo(need);
    } else {
      assertThat(n.get(599)).as("a slow-booting fleet keeps at most the margin")
          .isBetween(need, row.clamp(TargetTracking.instancesFor(3 * base * (1 + TargetTracking.JUMP_MARGIN),
              row.target())));
    }
  }

  private static void settles(Row random, double flat) {
    Row row = new Row(random.index(), random.min(), random.max(), random.start(), random.boot(), random.target(),
        random.saturates(), "flat", t -> flat);
    List<ScaleDecision> ds = row.run(600);
    List<Integer> n = Drive.desired(ds);
    // settled once the windows, the scale-down delay and saturated growth (one boot per doubling) are behind
    int settled = 300;
    assertThat(n.subList(settled, n.size())).as("no resize once settled at %s", flat).containsOnly(n.get(settled));
    int reversals = 0;
    int direction = 0;
    for (ScaleDecision d : ds) {
      if (d.changed()) {
        int dir = Integer.signum(d.desired() - d.previous());
        reversals += direction != 0 && dir != direction ? 1 : 0;
        direction = dir;
      }
    }
    assertThat(reversals).as("at most one overshoot corrected at %s", flat).isLessThanOrEqualTo(1);
    int need = Math.max(Math.max(row.min(), 1), Math.min(row.max(), TargetTracking.instancesFor(flat, row.target())));
    int last = n.get(n.size() - 1);
    assertThat(last).as("never under what %s needs", flat).isGreaterThanOrEqualTo(need);
    assertThat(last).as("within one scale-down step of it").isLessThanOrEqualTo((int) (need / 0.85) + 1);
  }
}
