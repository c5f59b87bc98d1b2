package io.dustcloud.core.rollout;

import java.util.Map;

/**
 * The planner's answer: desired instances per revision (the target first), whether the
 * rollout is complete, and a one-line progress report.
 */
public record RolloutStep(Map<String, Integer> desired, boolean complete, String progress) {
  public RolloutStep {
    desired = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(desired));
  }

  public int total() {
    return desired.values().stream().mapToInt(Integer::intValue).sum();
  }
}
