package io.dustcloud.supervisor;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CounterRatesTest {
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  @Test
  void firstReadingWarmsUpThenRatesFollow() {
    CounterRates r = new CounterRates();
    assertThat(r.rate("a", 100, T0)).isEmpty();
    assertThat(r.rate("a", 150, T0.plusMillis(500)).getAsDouble()).isEqualTo(100.0);
    assertThat(r.rate("a", 150, T0.plusMillis(1500)).getAsDouble()).isEqualTo(0.0);
  }

  @Test
  void aCounterThatWentDownWasReset() {
    CounterRates r = new CounterRates();
    r.rate("a", 1000, T0);
    assertThat(r.rate("a", 30, T0.plusSeconds(2)).getAsDouble()).isEqualTo(15.0);
  }

  @Test
  void instancesAreIndependentAndForgottenWhenGone() {
    CounterRates r = new CounterRates();
    r.rate("a", 10, T0);
    r.rate("b", 0, T0);
    assertThat(r.rate("b", 5, T0.plusSeconds(1)).getAsDouble()).isEqualTo(5.0);
    r.retain(Set.of("b"));
    assertThat(r.rate("a", 20, T0.plusSeconds(1))).as("a starts afresh").isEmpty();
  }

  @Test
  void noTimeBetweenReadingsGivesNoRateAndKeepsTheEarlierReading() {
    CounterRates r = new CounterRates();
    r.rate("a", 10, T0);
    assertThat(r.rate("a", 20, T0)).isEmpty();
    assertThat(r.rate("a", 30, T0.plusSeconds(1)).getAsDouble()).isEqualTo(20.0);
  }
}
