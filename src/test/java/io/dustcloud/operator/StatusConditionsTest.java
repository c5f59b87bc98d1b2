package io.dustcloud.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.dustcloud.api.v1alpha1.Condition;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StatusConditionsTest {
  static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");
  static final Instant T1 = T0.plusSeconds(10);
  static final Instant T2 = T0.plusSeconds(20);

  final List<Condition> conditions = new ArrayList<>();

  @Test
  void firstSetCreatesTheConditionWithEveryField() {
    StatusConditions.set(conditions, "Ready", "False", io.dustcloud.core.Reason.read("InstancesStarting"), "0 of 2 ready", 1L, T0);

    assertThat(conditions).hasSize(1);
    Condition c = conditions.get(0);
    assertThat(c.type).isEqualTo("Ready");
    assertThat(c.status).isEqualTo("False");
    assertThat(c.reason).isEqualTo("InstancesStarting");
    assertThat(c.message).isEqualTo("0 of 2 ready");
    assertThat(c.observedGeneration).isEqualTo(1L);
    assertThat(c.lastTransitionTime).isEqualTo(T0.toString());
  }

  @Test
  void sameStatusKeepsTheTransitionTimeButRefreshesTheRest() {
    StatusConditions.set(conditions, "Ready", "False", io.dustcloud.core.Reason.read("InstancesStarting"), "0 of 2 ready", 1L, T0);
    StatusConditions.set(conditions, "Ready", "False", io.dustcloud.core.Reason.read("RollingOut"), "1 of 2 ready", 2L, T1);

    Condition c = StatusConditions.find(conditions, "Ready");
    assertThat(c.lastTransitionTime).isEqualTo(T0.toString());
    assertThat(c.reason).isEqualTo("RollingOut");
    assertThat(c.message).isEqualTo("1 of 2 ready");
    assertThat(c.observedGeneration).isEqualTo(2L);
    assertThat(conditions).hasSize(1);
  }

  @Test
  void statusFlipMovesTheTransitionTime() {
    StatusConditions.set(conditions, "Ready", "False", io.dustcloud.core.Reason.read("InstancesStarting"), "0 of 2 ready", 1L, T0);
    StatusConditions.set(conditions, "Ready", "True", io.dustcloud.core.Reason.read("FleetReady"), "2 of 2 ready", 1L, T1);
    assertThat(StatusConditions.find(conditions, "Ready").lastTransitionTime).isEqualTo(T1.toString());

    StatusConditions.set(conditions, "Ready", "True", io.dustcloud.core.Reason.read("FleetReady"), "2 of 2 ready", 1L, T2);
    assertThat(StatusConditions.find(conditions, "Ready").lastTransitionTime).isEqualTo(T1.toString());

    StatusConditions.set(conditions, "Ready", "Unknown", io.dustcloud.core.Reason.read("ProviderError"), "?", 1L, T2);
    assertThat(StatusConditions.find(conditions, "Ready").lastTransitionTime).isEqualTo(T2.toString());
  }

  @Test
  void conditionsOfOtherTypesAreIndependent() {
    StatusConditions.set(conditions, "Ready", "False", io.dustcloud.core.Reason.FLEET_READY, "a", 1L, T0);
    StatusConditions.set(conditions, "Stalled", "False", io.dustcloud.core.Reason.RECONCILED, "b", 1L, T0);
    StatusConditions.set(conditions, "Stalled", "True", io.dustcloud.core.Reason.INVALID_SPEC, "c", 1L, T1);

    assertThat(conditions).extracting(c -> c.type).containsExactly("Ready", "Stalled");
    assertThat(StatusConditions.find(conditions, "Ready").lastTransitionTime).isEqualTo(T0.toString());
    assertThat(StatusConditions.find(conditions, "Ready").reason).isEqualTo("FleetReady");
    assertThat(StatusConditions.find(conditions, "Stalled").lastTransitionTime).isEqualTo(T1.toString());
  }

  @Test
  void isTrueReadsTheStatus() {
    assertThat(StatusConditions.isTrue(conditions, "Ready")).isFalse();
    StatusConditions.set(conditions, "Ready", "False", io.dustcloud.core.Reason.FLEET_READY, "a", 1L, T0);
    assertThat(StatusConditions.isTrue(conditions, "Ready")).isFalse();
    StatusConditions.set(conditions, "Ready", "True", io.dustcloud.core.Reason.FLEET_READY, "a", 1L, T0);
    assertThat(StatusConditions.isTrue(conditions, "Ready")).isTrue();
    assertThat(StatusConditions.find(conditions, "Missing")).isNull();
  }
}
