package io.dustcloud.core.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What a rollout decides when its new revision is late: roll back (automatic, with somewhere to
 * go), or report the missed deadline and keep trying — never stay silent.
 */
class RevisionRolloutTest {
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  static final Duration DEADLINE = Duration.ofSeconds(30);

  /** v1 served and was verified; the spec now names v2, whose rollout started at T0. */
  static RolloutState rollingToV2(String lastGood) {
    return new RolloutState("v1", "v2", lastGood, null, null, "v1", T0, null);
  }

  static RolloutPolicy policy(boolean autoRollback) {
    return new RolloutPolicy("1", "0", DEADLINE, Duration.ofSeconds(10), Duration.ofSeconds(30), autoRollback);
  }

  static Stream<Arguments> lateRollouts() {
    return Stream.of(
        // name, autoRollback, lastGood, pinned, seconds after start, v2 ready of 2 → rolled back?, missed (substring)?
        Arguments.of("before the deadline nothing is reported", true, "v1", null, 29, 0, false, null),
        Arguments.of("automatic rollback at the deadline", true, "v1", null, 30, 1, true, null),
        Arguments.of("rollback off: the deadline is reported", false, "v1", null, 30, 1, false, "automatic rollback is off"),
        Arguments.of("nothing good to go back to", true, null, null, 31, 0, false,
            "there is no good revision to roll back to"),
        Arguments.of("a pinned revision is not rolled back", true, "v1", "v2", 45, 0, false,
            "a pinned revision is not rolled back"),
        Arguments.of("all ready at the deadline: promoted, nothing missed", false, "v1", null, 30, 2, false, null));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("lateRollouts")
  void aLateRevisionIsRolledBackOrReported(String name, boolean autoRollback, String lastGood, String pinned,
      int seconds, int v2Ready, boolean rolledBack, String missed) {
    Map<String, RevisionCounts> current = new LinkedHashMap<>();
    current.put("v1", new RevisionCounts(v2Ready == 2 ? 0 : 2, v2Ready == 2 ? 0 : 2));
    current.put("v2", new RevisionCounts(2, v2Ready));

    RolloutDecision d = RevisionRollout.decide("v2", pinned, rollingToV2(lastGood), policy(autoRollback), 2, current,
        Map.of(), T0.plusSeconds(seconds));

    assertThat(d.rolledBack() != null).as("rolled back").isEqualTo(rolledBack);
    if (missed == null) {
      assertThat(d.deadlineMissed()).isNull();
    } else {
      assertThat(d.deadlineMissed()).contains("v2").contains("progress deadline of 30s").contains(missed)
          .contains("keeps trying");
      assertThat(d.state().update()).as("the rollout goes on").isEqualTo("v2");
      assertThat(d.state().failed()).isNull();
    }
  }

  @ParameterizedTest(name = "autoRollback={0}")
  @org.junit.jupiter.params.provider.ValueSource(booleans = {true, false})
  void aRolloutBeforeItsDeadlineAsksToBeLookedAtAgainAtTheDeadline(boolean autoRollback) {
    Map<String, RevisionCounts> current = Map.of("v1", new RevisionCounts(2, 2), "v2", new RevisionCounts(1, 0));

    RolloutDecision d = RevisionRollout.decide("v2", null, rollingToV2("v1"), policy(autoRollback), 2, current,
        Map.of(), T0.plusSeconds(10));

    assertThat(d.recheckAt()).isEqualTo(T0.plus(DEADLINE));
    assertThat(d.deadlineMissed()).isNull();
  }

  @org.junit.jupiter.api.Test
  void theFailureIsRememberedUntilTheSpecNamesAnotherRevision() {
    Map<String, RevisionCounts> current = new LinkedHashMap<>();
    current.put("v1", new RevisionCounts(2, 2));
    current.put("v2", new RevisionCounts(1, 0));
    RolloutDecision rolled = RevisionRollout.decide("v2", null, rollingToV2("v1"), policy(true), 2, current,
        Map.of(), T0.plusSeconds(30));
    assertThat(rolled.state().failed()).isEqualTo("v2");

    RolloutDecision later = RevisionRollout.decide("v2", null, rolled.state(), policy(true), 2,
        Map.of("v1", new RevisionCounts(2, 2)), Map.of(), T0.plusSeconds(300));
    assertThat(later.state().failed()).isEqualTo("v2");
    assertThat(later.state().update()).isEqualTo("v1");
    assertThat(later.deadlineMissed()).as("a rollback is reported as a rollback, not as a missed deadline").isNull();

    RolloutDecision fixed = RevisionRollout.decide("v3", null, later.state(), policy(true), 2,
        Map.of("v1", new RevisionCounts(2, 2)), Map.of(), T0.plusSeconds(301));
    assertThat(fixed.state().failed()).isNull();
    assertThat(fixed.state().update()).isEqualTo("v3");
  }

  /**
   * The previous revision stays warm through the rollout and for keepPrevious after the
   * promotion, at every fleet size; instances become ready as soon as they are asked for.
   */
  @ParameterizedTest(name = "{0} instances, maxSurge {1}")
  @org.junit.jupiter.params.provider.CsvSource({"1,1", "2,1", "2,25%", "3,1", "5,25%", "8,2", "10,25%"})
  void thePreviousRevisionIsKeptWarmAtAnyFleetSize(int total, String surge) {
    RolloutPolicy policy = new RolloutPolicy(surge, "0", Duration.ofMinutes(10), Duration.ofSeconds(10),
        Duration.ofSeconds(30), true);
    RolloutState state = new RolloutState("v1", "v1", "v1", null, null, null, T0.minusSeconds(600), T0.minusSeconds(500));
    Map<String, Integer> running = new LinkedHashMap<>(Map.of("v1", total));
    Instant promoted = null;
    Instant now = T0;
    for (int i = 0; i < 200; i++, now = now.plusSeconds(1)) {
      Map<String, RevisionCounts> counts = new LinkedHashMap<>();
      running.forEach((rev, n) -> counts.put(rev, new RevisionCounts(n, n)));
      RolloutDecision d = RevisionRollout.decide("v2", null, state, policy, total, counts, Map.of(), now);
      state = d.state();
      if (promoted == null && state.promoted() != null) {
        promoted = state.promoted();
      }
      boolean inKeepWindow = promoted == null || now.isBefore(promoted.plusSeconds(30));
      int v1 = d.desired().getOrDefault("v1", 0);
      if (inKeepWindow) {
        assertThat(v1).as("v1 instances wanted at %s (promoted %s)", now, promoted).isEqualTo(total);
      } else {
        assertThat(v1).as("v1 after the keep window").isZero();
      }
      if (promoted != null) {
        assertThat(d.serving()).as("only v2 serves after the promotion").containsExactly("v2");
        // the kept v1 waits for a rollback: the rollout is over, not "rolling"
        assertThat(d.rolling()).as("rolling at %s, promoted %s: %s", now, promoted, d.step().progress()).isFalse();
        if (inKeepWindow) {
          assertThat(d.step().progress()).isEqualTo(total + " of " + total + " instances of v2 ready; " + total
              + " of v1 kept without traffic for a rollback until " + promoted.plusSeconds(30));
        }
      }
      running = new LinkedHashMap<>(d.desired());
      running.values().removeIf(n -> n == 0);
    }
    assertThat(promoted).as("the rollout completed").isNotNull();
    assertThat(running).containsExactly(Map.entry("v2", total));
  }

  @org.junit.jupiter.api.Test
  void withoutAKeepWindowThePreviousRevisionIsDrainedAsItIsReplaced() {
    RolloutPolicy policy = new RolloutPolicy("1", "0", Duration.ofMinutes(10), Duration.ofSeconds(10),
        Duration.ZERO, true);
    RolloutState state = new RolloutState("v1", "v1", "v1", null, null, null, T0.minusSeconds(600), T0.minusSeconds(500));
    Map<String, RevisionCounts> counts = new LinkedHashMap<>();
    counts.put("v1", new RevisionCounts(4, 4));
    counts.put("v2", new RevisionCounts(1, 1));
    state = RevisionRollout.decide("v2", null, state, policy, 4, Map.of("v1", new RevisionCounts(4, 4)), Map.of(), T0)
        .state();

    RolloutDecision d = RevisionRollout.decide("v2", null, state, policy, 4, counts, Map.of(), T0.plusSeconds(1));

    assertThat(d.desired()).containsEntry("v1", 3).containsEntry("v2", 2);
  }
}
