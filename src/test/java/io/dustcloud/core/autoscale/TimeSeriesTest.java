package io.dustcloud.core.autoscale;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.OptionalDouble;
import java.util.Random;
import java.util.function.IntToDoubleFunction;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@link TimeSeries#noise}: what target tracking takes for noise, and what it must not. */
class TimeSeriesTest {
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  static Stream<Arguments> noise() {
    Random r = new Random(7);
    double[] uniform = new double[60];
    double[] normal = new double[60];
    for (int i = 0; i < 60; i++) {
      uniform[i] = 1000 * (1 + 0.05 * (r.nextDouble() * 2 - 1));
      normal[i] = 1000 + 30 * r.nextGaussian();
    }
    // rows: name, points (one a second for 60 s), the least and most the noise may be
    return Stream.of(
        Arguments.of("flat demand has no noise", 60, (IntToDoubleFunction) t -> 500, 0.0, 0.0),
        Arguments.of("a ramp is not noise", 60, (IntToDoubleFunction) t -> 100 + 7 * t, 0.0, 1e-9),
        Arguments.of("a step is not noise", 60, (IntToDoubleFunction) t -> t < 30 ? 300 : 900, 0.0, 0.0),
        Arguments.of("a 10 s burst is not noise", 60, (IntToDoubleFunction) t -> t >= 20 && t < 30 ? 2400 : 200, 0.0,
            0.0),
        // +-5 % uniform on 1000: a standard deviation of 50 / sqrt 3 = 29; the estimate from 59 changes is rough
        Arguments.of("+-5 % uniform noise on 1000", 60, (IntToDoubleFunction) t -> uniform[t], 15.0, 45.0),
        Arguments.of("normal noise of 30 on 1000", 60, (IntToDoubleFunction) t -> normal[t], 20.0, 40.0),
        Arguments.of("normal noise of 30 on a ramp", 60, (IntToDoubleFunction) t -> normal[t] + 10 * t, 20.0, 40.0));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("noise")
  void noiseIsTheSpreadOfChangesNotOfLevels(String name, int points, IntToDoubleFunction value, double least,
      double most) {
    TimeSeries s = new TimeSeries(Duration.ofSeconds(60));
    for (int t = 0; t < points; t++) {
      s.add(T0.plusSeconds(t), value.applyAsDouble(t));
    }
    OptionalDouble noise = s.noise(T0.plusSeconds(points - 1), Duration.ofSeconds(60));
    assertThat(noise).isPresent();
    assertThat(noise.getAsDouble()).isBetween(least, most);
  }

  @ParameterizedTest(name = "{0} points: no estimate")
  @MethodSource("tooFew")
  void fewerThanThreePointsGiveNoEstimate(int points) {
    TimeSeries s = new TimeSeries(Duration.ofSeconds(60));
    for (int t = 0; t < points; t++) {
      s.add(T0.plusSeconds(t), t * 100);
    }
    assertThat(s.noise(T0.plusSeconds(points), Duration.ofSeconds(60))).isEmpty();
  }

  static Stream<Integer> tooFew() {
    return Stream.of(0, 1, 2);
  }
}
