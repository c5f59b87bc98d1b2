package io.dustcloud.core.rollout;

import java.time.Instant;
import java.util.Map;
import java.util.Set;

/**
 * What to do about revisions now.
 *
 * @param state the state to record
 * @param step desired instances per revision
 * @param serving revisions whose ready instances may receive traffic
 * @param rolledBack non-null when this decision rolled back: why
 * @param recheckAt when time alone will change the decision (a deadline, the end of a window)
 */
public record RolloutDecision(
    RolloutState state, RolloutStep step, Set<String> serving, String rolledBack, Instant recheckAt) {

  public Map<String, Integer> desired() {
    return step.desired();
  }

  /** Rolling: the fleet is not (yet) entirely on its target revision. */
  public boolean rolling() {
    return !step.complete();
  }
}
