package io.dustcloud.core.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class RepairPlannerTest {
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  static final Instant NOW = T0.plusSeconds(600);
  static final HealthPolicy POLICY =
      new HealthPolicy(3, 1, Duration.ofSeconds(60), 2, 0.5, Duration.ofSeconds(5), Duration.ofSeconds(80), 3);
  static final ProbeResult PASS = ProbeResult.pass(1);
  static final ProbeResult FAIL = ProbeResult.fail(1, "HTTP 503 from GET /health");

  /**
   * A compact instance: h = healthy, u = unhealthy (was ready, now failing), b = booting, s = stalled boot,
   * x = exited after it was ready, c = crashed (exited before it was ever ready).
   */
  static List<InstanceHealth> fleet(String shape) {
    List<InstanceHealth> list = new ArrayList<>();
    for (int i = 0; i < shape.length(); i++) {
      String id = "i" + i;
      list.add(switch (shape.charAt(i)) {
        case 'h' -> new InstanceHealth(id, "r1", T0, false, Readiness.UNKNOWN.observe(PASS, 3, T0));
        case 'u' -> new InstanceHealth(id, "r1", T0, false, failing(Readiness.UNKNOWN.observe(PASS, 3, T0), 3));
        case 'b' -> new InstanceHealth(id, "r1", NOW.minusSeconds(10), false, failing(Readiness.UNKNOWN, 2));
        case 's' -> new InstanceHealth(id, "r1", NOW.minusSeconds(61), false, failing(Readiness.UNKNOWN, 30));
        case 'x' -> new InstanceHealth(id, "r1", T0, true, Readiness.UNKNOWN.observe(PASS, 3, T0).lost());
        case 'c' -> new InstanceHealth(id, "r1", NOW.minusSeconds(1), true, Readiness.UNKNOWN);
        default -> throw new IllegalArgumentException(shape);
      });
    }
    return list;
  }

  static Readiness failing(Readiness r, int times) {
    for (int i = 0; i < times; i++) {
      r = r.observe(FAIL, 3, T0.plusSeconds(i + 1));
    }
    return r;
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        // shape, repaired now, suspended?
        Arguments.of("all healthy", "hhhh", List.of(), false),
        Arguments.of("one failed 3 probes after being ready", "hhuh", List.of("i2"), false),
        Arguments.of("two failures within threshold are not unhealthy", "hhhb", List.of(), false),
        Arguments.of("boot past the startup deadline", "hhhs", List.of("i3"), false),
        Arguments.of("boot within the deadline waits", "hhhb", List.of(), false),
        Arguments.of("exited counts as unhealthy", "hhhx", List.of("i3"), false),
        Arguments.of("budget 2: three unhealthy of ten, two repaired", "hhhhhhhuuu", List.of("i7", "i8"), false),
        Arguments.of("booting replacements use the budget", "hhhhhhbbuu", List.of(), false),
        Arguments.of("exited repaired before hung", "hhhhhhhhux", List.of("i9", "i8"), false),
        Arguments.of("budget 2 of a ten-instance fleet, exited first", "hhhhhhhuxu", List.of("i8", "i7"), false),
        Arguments.of("half the fleet is tolerated", "hhuu", List.of("i2", "i3"), false),
        Arguments.of("more than half: breaker trips", "huuu", List.of(), true),
        Arguments.of("every boot stalls: a crash loop, not the breaker", "sss", List.of("i0", "i1"), false),
        Arguments.of("every instance crashes before ready: restarted within the budget", "ccc",
            List.of("i0", "i1"), false),
        Arguments.of("crash loops do not count towards the breaker", "hucc", List.of("i2", "i3"), false),
        Arguments.of("the breaker still trips on ready instances failing", "uuuc", List.of(), true),
        Arguments.of("a lone instance is repaired", "u", List.of("i0"), false));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void plans(String name, String shape, List<String> repaired, boolean suspended) {
    RepairPlan plan = RepairPlanner.plan(fleet(shape), RepairLedger.EMPTY, POLICY, NOW);
    assertThat(plan.repairs()).extracting(Repair::instanceId).containsExactlyElementsOf(repaired);
    assertThat(plan.suspended() != null).as("suspended: %s", plan.suspended()).isEqualTo(suspended);
    assertThat(plan.unhealthy()).hasSize((int) shape.chars().filter(c -> "usxc".indexOf(c) >= 0).count());
    // each unhealthy instance carries the cause its shape stands for
    for (Repair r : plan.unhealthy()) {
      char c = shape.charAt(Integer.parseInt(r.instanceId().substring(1)));
      assertThat(r.cause()).isEqualTo(switch (c) {
        case 'u' -> RepairCause.STOPPED_ANSWERING;
        case 's' -> RepairCause.STARTUP_DEADLINE_MISSED;
        case 'x' -> RepairCause.EXITED;
        case 'c' -> RepairCause.EXITED_BEFORE_READY;
        default -> throw new AssertionError("healthy instance " + r.instanceId() + " listed as unhealthy");
      });
    }
  }

  @Test
  void breakerMessageSaysWhyAndWhatFailedFirst() {
    RepairPlan plan = RepairPlanner.plan(fleet("uuu"), RepairLedger.EMPTY, POLICY, NOW);
    assertThat(plan.suspended())
        .contains("3 of 3 instances are unhealthy")
        .contains("more than 50% of the fleet")
        .contains("stopped answering: 3 probes failed in a row")
        .contains("HTTP 503 from GET /health");
  }

  @Test
  void backoffDoublesAfterRepairsThatDidNotHelpAndResetsOnRecovery() {
    List<InstanceHealth> one = fleet("hhhu");
    RepairLedger ledger = RepairLedger.EMPTY.repaired("r1", NOW);
    // first retry waits 5 s
    assertThat(RepairPlanner.plan(one, ledger, POLICY, NOW.plusSeconds(4)).repairs()).isEmpty();
    assertThat(RepairPlanner.plan(one, ledger, POLICY, NOW.plusSeconds(4)).waiting()).contains("backs off");
    assertThat(RepairPlanner.plan(one, ledger, POLICY, NOW.plusSeconds(5)).repairs()).hasSize(1);
    // second retry waits 10 s
    ledger = ledger.repaired("r1", NOW.plusSeconds(5));
    assertThat(RepairPlanner.plan(one, ledger, POLICY, NOW.plusSeconds(14)).repairs()).isEmpty();
    assertThat(RepairPlanner.plan(one, ledger, POLICY, NOW.plusSeconds(15)).repairs()).hasSize(1);
    // an instance of r1 became ready: the next failure is repaired at once
    ledger = ledger.recovered("r1");
    assertThat(RepairPlanner.plan(one, ledger, POLICY, NOW.plusSeconds(15)).repairs()).hasSize(1);
  }

  @Test
  void backoffIsCapped() {
    RepairLedger ledger = RepairLedger.EMPTY;
    for (int i = 0; i < 2; i++) {
      ledger = ledger.repaired("r1", NOW);
    }
    HealthPolicy manyTries = new HealthPolicy(3, 1, Duration.ofSeconds(60), 2, 0.5, Duration.ofSeconds(5), Duration.ofSeconds(8), 100);
    assertThat(ledger.nextRepairAllowed("r1", manyTries)).isEqualTo(NOW.plusSeconds(8));
  }

  @Test
  void repairsStopWhenTheyNeverHelp() {
    RepairLedger ledger = RepairLedger.EMPTY;
    for (int i = 0; i < POLICY.repairsWithoutRecovery(); i++) {
      ledger = ledger.repaired("r1", T0);
    }
    RepairPlan plan = RepairPlanner.plan(fleet("u"), ledger, POLICY, NOW);
    assertThat(plan.repairs()).isEmpty();
    assertThat(plan.suspended()).contains("repaired 3 times in a row and no replacement became ready");
  }

  @Test
  void crashLoopsBackOffByKubeletsRuleAndAreNeverSuspended() {
    List<InstanceHealth> crashing = fleet("c");
    RepairLedger ledger = RepairLedger.EMPTY;
    Instant t = NOW;
    for (int restart = 1; restart <= 12; restart++) {
      RepairPlan plan = RepairPlanner.plan(crashing, ledger, POLICY, t);
      assertThat(plan.suspended()).as("restart %d", restart).isNull();
      assertThat(plan.repairs()).as("restart %d", restart).hasSize(1);
      ledger = ledger.crashRestarted(plan.repairs().get(0), t, 1);
      Duration delay = CrashLoopBackoff.delay(restart);
      RepairPlan early = RepairPlanner.plan(crashing, ledger, POLICY, t.plus(delay).minusMillis(1));
      assertThat(early.repairs()).as("restart %d waits %s", restart, delay).isEmpty();
      assertThat(early.waiting()).contains("crash loop");
      t = t.plus(delay);
    }
    // crash restarts count as repairs (status.restarts), not as repairs "that did not help"
    assertThat(ledger.totalRepairs()).isEqualTo(12);
    assertThat(ledger.entry("r1").repairsWithoutRecovery()).isZero();
  }

  @Test
  void resolvesCountsAndPercentages() {
    assertThat(HealthPolicy.resolveCount("3", 10)).isEqualTo(3);
    assertThat(HealthPolicy.resolveCount("25%", 10)).isEqualTo(3);
    assertThat(HealthPolicy.resolveCount("25%", 1)).isEqualTo(1);
    assertThat(HealthPolicy.resolveCount("0", 10)).isEqualTo(1);
  }
}
