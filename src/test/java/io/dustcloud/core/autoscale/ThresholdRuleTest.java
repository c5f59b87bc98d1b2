package io.dustcloud.core.autoscale;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The threshold rule, one row per behaviour. CPU percent per instance: add above 70 % held
 * for 10 s, remove below 5 % held for 30 s; no extra scale-down delay unless a row says.
 * Loads are total CPU percent spread over the ready instances.
 */
class ThresholdRuleTest {
  static Supplier<ScalingPolicy> rule(int min, int max, double upRate, int delaySeconds) {
    return () -> new ThresholdRule(
        new ThresholdRule.Settings("cpu", 70, Duration.ofSeconds(10), 5, Duration.ofSeconds(30)),
        new ScaleLimits(min, max, upRate, 2, Duration.ofSeconds(delaySeconds)));
  }

  static final Supplier<ScalingPolicy> STANDARD = rule(1, 20, 10, 0);

  static Stream<Drive.Case> cases() {
    return Stream.of(
        new Drive.Case("between the thresholds nothing changes", STANDARD, 3, 1, Drive.demand(t -> 150), 120, ds -> {
          assertThat(Drive.desired(ds)).containsOnly(3);
          assertThat(ds.get(0).reason()).isEqualTo("cpu 50 per instance: no threshold held long enough; keeping 3");
        }),
        new Drive.Case("a step above X adds instances only after N seconds, enough to bring the mean to X", STANDARD, 2, 1,
            Drive.demand(t -> t < 20 ? 100 : 180), 60, ds -> {
              assertThat(ds.get(29).desired()).as("9 s above: not yet").isEqualTo(2);
              assertThat(ds.get(30).desired()).as("10 s above: 180/70 -> 3").isEqualTo(3);
              assertThat(ds.get(30).reason()).isEqualTo("cpu 90 per instance, above 70 for 10s; wants 3");
              assertThat(Drive.desired(ds.subList(31, 60))).containsOnly(3);
            }),
        new Drive.Case("a spike shorter than N seconds adds nothing", STANDARD, 2, 1,
            Drive.demand(t -> t >= 20 && t < 28 ? 400 : 100), 60, ds -> assertThat(Drive.desired(ds)).containsOnly(2)),
        new Drive.Case("noise dipping under X restarts the count", STANDARD, 2, 1,
            Drive.demand(t -> t % 8 == 7 ? 120 : 180), 80, ds -> assertThat(Drive.desired(ds)).containsOnly(2)),
        new Drive.Case("below Y for M seconds removes instances", STANDARD, 6, 1,
            Drive.demand(t -> t < 10 ? 300 : 12), 80, ds -> {
              assertThat(ds.get(39).desired()).as("29 s below").isEqualTo(6);
              assertThat(ds.get(40).desired()).as("30 s below: 12/5 -> 3").isEqualTo(3);
              assertThat(ds.get(40).reason()).startsWith("cpu 2 per instance, below 5 for 30s");
              assertThat(ds.get(41).desired()).as("still below at 3 (4 each): one more goes").isEqualTo(2);
              assertThat(ds.get(79).desired()).as("6 each is above Y: stays").isEqualTo(2);
            }),
        new Drive.Case("gaps in the data neither start nor break a run", STANDARD, 2, 1,
            (t, ready) -> t % 3 == 0 ? MetricSample.none(ready) : Drive.spread(180, ready, 0), 40, ds -> {
              assertThat(ds.get(9).desired()).isEqualTo(2);
              assertThat(ds.get(11).desired()).isEqualTo(3);
              assertThat(ds.get(9).reason()).isEqualTo("no metrics from 2 ready instances: holding");
            }),
        new Drive.Case("a missing scrape blocks scale-down but not scale-up", STANDARD, 6, 1,
            (t, ready) -> Drive.spread(t < 100 ? 0 : 600, ready, t < 100 ? 1 : 1), 130, ds -> {
              assertThat(Drive.desired(ds.subList(0, 100))).containsOnly(6);
              assertThat(ds.get(99).reason()).contains("not scaling down with scrapes missing");
              assertThat(ds.get(129).desired()).isEqualTo(9);
            }),
        new Drive.Case("minReplicas and maxReplicas cap the rule", rule(2, 4, 10, 0), 3, 1,
            Drive.demand(t -> t < 60 ? 0 : 1000), 100, ds -> {
              assertThat(ds.get(59).desired()).isEqualTo(2);
              assertThat(ds.get(59).cap()).isEqualTo(ScaleDecision.Cap.MIN);
              assertThat(ds.get(99).desired()).isEqualTo(4);
              assertThat(ds.get(99).cap()).isEqualTo(ScaleDecision.Cap.MAX);
            }),
        new Drive.Case("maxScaleUpRate bounds each step", rule(1, 50, 1.5, 0), 2, 1,
            Drive.demand(t -> 1400), 30, ds -> {
              assertThat(ds.get(10).desired()).isEqualTo(3);
              assertThat(ds.get(10).reason()).contains("maxScaleUpRate limits this step to 3");
              assertThat(ds.get(29).desired()).isEqualTo(20);
            }),
        new Drive.Case("a scale-down delay adds to M", rule(1, 20, 10, 20), 4, 1,
            Drive.demand(t -> 0), 80, ds -> {
              assertThat(ds.get(49).desired()).as("below for 30 s from t=0, then 19 s of delay").isEqualTo(4);
              assertThat(ds.get(49).reason()).contains("scale-down delay keeps 4");
              assertThat(ds.get(50).desired()).isEqualTo(2);
            }),
        new Drive.Case("instances still booting are waited for, not added to", STANDARD, 2, 6,
            Drive.demand(t -> 400), 40, ds -> {
              assertThat(Drive.desired(ds)).containsOnly(2, 6);
              assertThat(Drive.changes(ds)).isEqualTo(1);
            }));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void behaves(Drive.Case c) {
    c.verify();
  }
}
