package io.dustcloud.operator;

import io.dustcloud.core.Reason;
import io.dustcloud.api.v1alpha1.Condition;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Sets conditions the cert-manager way: {@code lastTransitionTime} changes only when the
 * status flips; reason, message and {@code observedGeneration} are refreshed on every write.
 */
public final class StatusConditions {
  private StatusConditions() {}

  public static void set(
      List<Condition> conditions,
      String type,
      String status,
      Reason reason,
      String message,
      Long generation,
      Instant now) {
    Condition existing = find(conditions, type);
    if (existing == null) {
      Condition c = new Condition(type, status, reason.value(), message);
      c.lastTransitionTime = now.toString();
      c.observedGeneration = generation;
      conditions.add(c);
      return;
    }
    if (!Objects.equals(existing.status, status)) {
      existing.lastTransitionTime = now.toString();
    }
    existing.status = status;
    existing.reason = reason.value();
    existing.message = message;
    existing.observedGeneration = generation;
  }

  public static Condition find(List<Condition> conditions, String type) {
    return conditions.stream().filter(c -> type.equals(c.type)).findFirst().orElse(null);
  }

  public static boolean isTrue(List<Condition> conditions, String type) {
    Condition c = find(conditions, type);
    return c != null && Conditions.TRUE.equals(c.status);
  }
}
