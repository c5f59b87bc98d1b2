package io.dustcloud.core.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** Which rule makes an instance unhealthy, and what its repair says: code reads the cause, people the reason. */
class RepairCauseTest {
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  static final Instant NOW = T0.plusSeconds(600);
  static final HealthPolicy POLICY =
      new HealthPolicy(3, 1, Duration.ofSeconds(60), 2, 0.5, Duration.ofSeconds(5), Duration.ofSeconds(80), 3);
  static final ProbeResult PASS = ProbeResult.pass(1);
  static final ProbeResult FAIL = ProbeResult.fail(1, "HTTP 503 from GET /health");
  static final Readiness READY = Readiness.UNKNOWN.observe(PASS, 3, T0);

  static Readiness failing(Readiness r, int times) {
    for (int i = 0; i < times; i++) {
      r = r.observe(FAIL, 3, T0.plusSeconds(i + 1));
    }
    return r;
  }

  static InstanceHealth instance(Instant createdAt, boolean exited, Readiness r) {
    return new InstanceHealth("i0", "r1", createdAt, exited, r);
  }

  static Stream<Arguments> instances() {
    return Stream.of(
        // name, instance, cause (null: healthy or still booting), reason as status and events show it
        Arguments.of("ready", instance(T0, false, READY), null, null),
        Arguments.of("two failures within the threshold", instance(T0, false, failing(READY, 2)), null, null),
        Arguments.of("booting within the startup deadline", instance(NOW.minusSeconds(59), false,
            failing(Readiness.UNKNOWN, 5)), null, null),
        Arguments.of("exited", instance(T0, true, READY.lost()), RepairCause.EXITED, "exited"),
        Arguments.of("exited while failing: exited wins", instance(T0, true, failing(READY, 3).lost()),
            RepairCause.EXITED, "exited"),
        Arguments.of("exited during its boot: a crash loop", instance(NOW.minusSeconds(5), true, Readiness.UNKNOWN),
            RepairCause.EXITED_BEFORE_READY, "exited before it became ready"),
        Arguments.of("stopped answering", instance(T0, false, failing(READY, 3)), RepairCause.STOPPED_ANSWERING,
            "stopped answering: 3 probes failed in a row, last: HTTP 503 from GET /health"),
        Arguments.of("stopped answering, no probe detail", instance(T0, false,
            new Readiness(false, 4, 0, T0, null, null)), RepairCause.STOPPED_ANSWERING,
            "stopped answering: 4 probes failed in a row"),
        Arguments.of("startup deadline missed", instance(NOW.minusSeconds(61), false, failing(Readiness.UNKNOWN, 30)),
            RepairCause.STARTUP_DEADLINE_MISSED,
            "no passing probe within the startup deadline of 60s, last: HTTP 503 from GET /health"),
        Arguments.of("startup deadline missed, never probed", instance(NOW.minusSeconds(61), false,
            Readiness.UNKNOWN), RepairCause.STARTUP_DEADLINE_MISSED,
            "no passing probe within the startup deadline of 60s"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("instances")
  void classifies(String name, InstanceHealth instance, RepairCause cause, String reason) {
    Repair repair = RepairPlanner.unhealthy(instance, POLICY, NOW);
    if (cause == null) {
      assertThat(repair).isNull();
      return;
    }
    assertThat(repair.cause()).isEqualTo(cause);
    assertThat(repair.reason()).isEqualTo(reason);
    assertThat(repair.instanceId()).isEqualTo("i0");
    assertThat(repair.revision()).isEqualTo("r1");
  }

  static Stream<Arguments> labels() {
    return Stream.of(
        // cause, metrics label, failed before it was ever ready (crash-loop backoff)
        Arguments.of(RepairCause.EXITED, "exited", false),
        Arguments.of(RepairCause.EXITED_BEFORE_READY, "exited before it became ready", true),
        Arguments.of(RepairCause.STOPPED_ANSWERING, "stopped answering", false),
        Arguments.of(RepairCause.STARTUP_DEADLINE_MISSED, "no passing probe within the startup deadline", true));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("labels")
  void labelsAreFixedAndStartTheReason(RepairCause cause, String label, boolean beforeReady) {
    assertThat(cause.label()).isEqualTo(label);
    assertThat(cause.beforeReady()).isEqualTo(beforeReady);
    assertThat(new Repair("i0", "r1", cause, "").reason()).isEqualTo(label);
    assertThat(new Repair("i0", "r1", cause, "some detail").reason()).startsWith(label).endsWith("some detail");
  }

  /** The label is what the reason said before its first colon (the label the metrics had), where that was fixed. */
  @ParameterizedTest
  @EnumSource(value = RepairCause.class, names = {"EXITED", "EXITED_BEFORE_READY", "STOPPED_ANSWERING"})
  void labelIsTheReasonUpToItsFirstColon(RepairCause cause) {
    Repair repair = new Repair("i0", "r1", cause, "3 probes failed in a row, last: HTTP 503");
    assertThat(repair.reason().split(":")[0]).isEqualTo(cause.label());
  }
}
