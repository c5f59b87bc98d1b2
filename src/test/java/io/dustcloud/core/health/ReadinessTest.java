package io.dustcloud.core.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ReadinessTest {
  static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");
  static final ProbeResult PASS = ProbeResult.pass(3);
  static final ProbeResult FAIL = ProbeResult.fail(1000, "connection refused");

  /** Applies a history written as 'P' (pass) and 'F' (fail), one second apart. */
  static Readiness run(String history, int threshold) {
    Readiness r = Readiness.UNKNOWN;
    for (int i = 0; i < history.length(); i++) {
      r = r.observe(history.charAt(i) == 'P' ? PASS : FAIL, threshold, T0.plusSeconds(i));
    }
    return r;
  }

  static Stream<Arguments> histories() {
    return Stream.of(
        Arguments.of("", 3, false, 0),
        Arguments.of("P", 3, true, 0),
        Arguments.of("F", 3, false, 1),
        Arguments.of("FFFFP", 3, true, 0),
        Arguments.of("PF", 3, true, 1),
        Arguments.of("PFF", 3, true, 2),
        Arguments.of("PFFF", 3, false, 3),
        Arguments.of("PFFFF", 3, false, 4),
        Arguments.of("PFFP", 3, true, 0),
        Arguments.of("PFFPFF", 3, true, 2),
        Arguments.of("PFFFP", 3, true, 0),
        Arguments.of("PF", 1, false, 1),
        Arguments.of("PFP", 1, true, 0),
        Arguments.of("PFFFFFFFFF", 10, true, 9),
        Arguments.of("PFFFFFFFFFF", 10, false, 10));
  }

  @ParameterizedTest(name = "{0} with threshold {1}: ready={2}")
  @MethodSource("histories")
  void readinessFollowsTheHistory(String history, int threshold, boolean ready, int failures) {
    Readiness r = run(history, threshold);
    assertThat(r.ready()).isEqualTo(ready);
    assertThat(r.consecutiveFailures()).isEqualTo(failures);
  }

  @Test
  void firstReadyAtIsTheFirstPassAndIsKept() {
    Readiness r = Readiness.UNKNOWN.observe(FAIL, 3, T0);
    assertThat(r.firstReadyAt()).isNull();
    r = r.observe(PASS, 3, T0.plusSeconds(1));
    assertThat(r.firstReadyAt()).isEqualTo(T0.plusSeconds(1));
    r = r.observe(PASS, 3, T0.plusSeconds(2));
    for (int i = 0; i < 3; i++) {
      r = r.observe(FAIL, 3, T0.plusSeconds(3 + i));
    }
    assertThat(r.ready()).isFalse();
    r = r.observe(PASS, 3, T0.plusSeconds(9));
    assertThat(r.ready()).isTrue();
    assertThat(r.firstReadyAt()).isEqualTo(T0.plusSeconds(1));
  }

  @Test
  void lastResultIsRecorded() {
    Readiness r = Readiness.UNKNOWN.observe(PASS, 3, T0).observe(FAIL, 3, T0.plusSeconds(1));
    assertThat(r.last()).isEqualTo(FAIL);
  }

  @Test
  void observeDoesNotChangeTheReceiver() {
    Readiness ready = Readiness.UNKNOWN.observe(PASS, 1, T0);
    ready.observe(FAIL, 1, T0.plusSeconds(1));
    assertThat(ready.ready()).isTrue();
    assertThat(Readiness.UNKNOWN.ready()).isFalse();
  }

  /**
   * Against a second statement of the rule over the whole history: ready iff some probe passed
   * and fewer than threshold probes failed since the last pass.
   */
  @Test
  void randomHistoriesMatchTheRuleStatedOverTheWholeHistory() {
    for (long seed = 1; seed <= 300; seed++) {
      Random random = new Random(seed);
      int threshold = 1 + random.nextInt(5);
      double passRate = random.nextDouble();
      Readiness r = Readiness.UNKNOWN;
      List<Boolean> history = new ArrayList<>();
      Instant firstPass = null;
      for (int step = 0; step < 60; step++) {
        boolean pass = random.nextDouble() < passRate;
        Instant now = T0.plusSeconds(step);
        history.add(pass);
        if (pass && firstPass == null) {
          firstPass = now;
        }
        r = r.observe(pass ? PASS : FAIL, threshold, now);
        int lastPass = history.lastIndexOf(true);
        int failsSince = history.size() - 1 - lastPass;
        boolean expected = lastPass >= 0 && failsSince < threshold;
        String context = "seed " + seed + " threshold " + threshold + " step " + step + " history " + history;
        assertThat(r.ready()).as(context).isEqualTo(expected);
        assertThat(r.consecutiveFailures()).as(context).isEqualTo(failsSince);
        assertThat(r.firstReadyAt()).as(context).isEqualTo(firstPass);
      }
    }
  }
}
