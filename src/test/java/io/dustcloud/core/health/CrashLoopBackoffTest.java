package io.dustcloud.core.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.dustcloud.core.health.CrashLoopBackoff.State;
import java.time.Duration;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Kubelet's CrashLoopBackOff rule: each row is one rule, with the time passed in. */
class CrashLoopBackoffTest {
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  static Stream<Arguments> delays() {
    return Stream.of(
        // restarts so far, wait before the next one
        Arguments.of(0, Duration.ZERO),
        Arguments.of(1, Duration.ofSeconds(1)),
        Arguments.of(2, Duration.ofSeconds(2)),
        Arguments.of(3, Duration.ofSeconds(4)),
        Arguments.of(4, Duration.ofSeconds(8)),
        Arguments.of(9, Duration.ofSeconds(256)),
        Arguments.of(10, Duration.ofMinutes(5)),
        Arguments.of(11, Duration.ofMinutes(5)),
        Arguments.of(1_000_000, Duration.ofMinutes(5)));
  }

  @ParameterizedTest(name = "after {0} restarts wait {1}")
  @MethodSource("delays")
  void delayDoublesFromOneSecondToFiveMinutes(int restarts, Duration delay) {
    assertThat(CrashLoopBackoff.delay(restarts)).isEqualTo(delay);
  }

  static Stream<Arguments> steps() {
    State once = CrashLoopBackoff.restarted(State.NONE, T0, "i1", "exited before it became ready");
    State thrice = CrashLoopBackoff.restarted(CrashLoopBackoff.restarted(once, T0.plusSeconds(1), "i2", "x"),
        T0.plusSeconds(3), "i3", "x");
    State healthyAt10 = CrashLoopBackoff.observed(thrice, true, T0.plusSeconds(10));
    return Stream.of(
        // name, state, healthy now?, now, restarts after, looping after, next attempt after
        Arguments.of("nothing to back off from", State.NONE, false, T0, 0, false, Instant.MIN),
        Arguments.of("first restart: next one a second later", once, false, T0.plusMillis(10), 1, true,
            T0.plusSeconds(1)),
        Arguments.of("third restart: 4 s later", thrice, false, T0.plusSeconds(4), 3, true, T0.plusSeconds(7)),
        Arguments.of("ready: no longer looping, count kept", thrice, true, T0.plusSeconds(10), 3, false,
            T0.plusSeconds(7)),
        Arguments.of("healthy 9:59: still counted", healthyAt10, true, T0.plusSeconds(10 + 599), 3, false,
            T0.plusSeconds(7)),
        Arguments.of("healthy 10 minutes: starts over", healthyAt10, true, T0.plusSeconds(10 + 600), 0, false,
            Instant.MIN),
        Arguments.of("a failure breaks the healthy stretch", healthyAt10, false, T0.plusSeconds(300), 3, true,
            T0.plusSeconds(7)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("steps")
  void observes(String name, State state, boolean healthy, Instant now, int restarts, boolean looping, Instant next) {
    State after = CrashLoopBackoff.observed(state, healthy, now);
    assertThat(after.restarts()).isEqualTo(restarts);
    assertThat(after.looping()).isEqualTo(looping);
    assertThat(CrashLoopBackoff.nextAttempt(after)).isEqualTo(next);
  }

  @Test
  void aHealthyStretchIsMeasuredFromItsStartNotFromTheLastLook() {
    State s = CrashLoopBackoff.restarted(State.NONE, T0, "i1", "x");
    s = CrashLoopBackoff.observed(s, true, T0.plusSeconds(5));
    for (int minute = 1; minute < 10; minute++) {
      s = CrashLoopBackoff.observed(s, true, T0.plusSeconds(5 + minute * 60L));
      assertThat(s.restarts()).as("minute %d", minute).isEqualTo(1);
    }
    assertThat(CrashLoopBackoff.observed(s, true, T0.plusSeconds(605)).restarts()).isZero();
  }

  @Test
  void aRestartRemembersWhatItReplaced() {
    State s = CrashLoopBackoff.restarted(State.NONE, T0, "i1", "exited before it became ready");
    assertThat(s.lastInstance()).isEqualTo("i1");
    assertThat(s.lastReason()).isEqualTo("exited before it became ready");
    assertThat(s.lastRestartAt()).isEqualTo(T0);
  }
}
