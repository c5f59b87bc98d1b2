package io.dustcloud.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.dustcloud.api.v1alpha1.UnikernelStatus;
import io.dustcloud.core.Reason;
import java.time.Instant;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Events are a pure diff of two statuses: each row is a change and the Events it is worth. */
class StatusEventsTest {
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  record Row(String name, Consumer<UnikernelStatus> before, Consumer<UnikernelStatus> after, String expected) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Consumer<UnikernelStatus> condition(String type, String status, Reason reason, String message) {
    return s -> StatusConditions.set(s.conditions, type, status, reason, message, 1L, T0);
  }

  static Consumer<UnikernelStatus> promotedOn(String revision) {
    return s -> {
      s.updateRevision = revision;
      s.promotedTime = T0.toString();
    };
  }

  static Consumer<UnikernelStatus> rollingTo(String revision) {
    return s -> {
      s.updateRevision = revision;
      s.promotedTime = null;
    };
  }

  static Stream<Row> rows() {
    Consumer<UnikernelStatus> nothing = s -> {};
    return Stream.of(
        new Row("nothing changed", condition(Conditions.READY, "True", Reason.FLEET_READY, "2 of 2"),
            condition(Conditions.READY, "True", Reason.FLEET_READY, "2 of 2"), ""),
        new Row("became ready", condition(Conditions.READY, "False", Reason.INSTANCES_STARTING, "0 of 2"),
            condition(Conditions.READY, "True", Reason.FLEET_READY, "2 of 2"), "Normal FleetReady: 2 of 2"),
        new Row("stalled", nothing, condition(Conditions.STALLED, "True", Reason.INVALID_SPEC, "port 0"),
            "Warning InvalidSpec: port 0"),
        new Row("still stalled, same message", condition(Conditions.STALLED, "True", Reason.INVALID_SPEC, "port 0"),
            condition(Conditions.STALLED, "True", Reason.INVALID_SPEC, "port 0"), ""),
        new Row("still stalled, new message", condition(Conditions.STALLED, "True", Reason.INVALID_SPEC, "port 0"),
            condition(Conditions.STALLED, "True", Reason.INVALID_SPEC, "port 70000"), "Warning InvalidSpec: port 70000"),
        new Row("scaled up", s -> s.desiredReplicas = 2, s -> {
              s.desiredReplicas = 5;
              s.lastScaleReason = "rps 500";
            }, "Normal ScaledUp: desired 2 -> 5: rps 500"),
        new Row("scaled down", s -> s.desiredReplicas = 5, s -> {
              s.desiredReplicas = 3;
              s.lastScaleReason = "idle";
            }, "Normal ScaledDown: desired 5 -> 3: idle"),
        new Row("first desired total is no scale", nothing, s -> s.desiredReplicas = 3, ""),
        new Row("a new rollout", promotedOn("web-a"), rollingTo("web-b"), "Normal RolloutStarted: rolling from web-a to web-b"),
        new Row("a rollout completes", rollingTo("web-b"), promotedOn("web-b"),
            "Normal RolloutComplete: revision web-b serves every instance"),
        new Row("a promoted revision stays promoted", promotedOn("web-b"), promotedOn("web-b"), ""),
        new Row("the first revision is no rollout", nothing, promotedOn("web-a"), ""),
        new Row("rolled back", rollingTo("web-b"), promotedOn("web-a").andThen(s -> s.failedRevision = "web-b")
            .andThen(condition(Conditions.ROLLED_BACK, "True", Reason.ROLLED_BACK, "rolled back from web-b to web-a: x")),
            "Warning RolledBack: rolled back from web-b to web-a: x"),
        new Row("a rollback is announced once", promotedOn("web-a").andThen(s -> s.failedRevision = "web-b"),
            promotedOn("web-a").andThen(s -> s.failedRevision = "web-b"), ""));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  void aChangeIsWorthItsEvents(Row row) {
    UnikernelStatus before = new UnikernelStatus();
    row.before().accept(before);
    UnikernelStatus after = Json.copy(before, UnikernelStatus.class);
    row.after().accept(after);

    String events = String.join("\n", StatusEvents.diff(before, after).stream()
        .map(e -> (e.warning() ? "Warning " : "Normal ") + e.reason().value() + ": " + e.message()).toList());

    assertThat(events).isEqualTo(row.expected());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  void aStatusComparedWithItselfIsWorthNoEvent(Row row) {
    UnikernelStatus s = new UnikernelStatus();
    row.after().accept(s);
    assertThat(StatusEvents.diff(s, Json.copy(s, UnikernelStatus.class))).isEmpty();
  }
}
