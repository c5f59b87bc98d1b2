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
 * @param deadlineMissed non-null when the target missed its progress deadline and was not rolled
 *     back (automatic rollback is off, or there is no good revision to go back to): why. The
 *     rollout keeps trying; a person has to look.
 */
public record RolloutDecision(
    RolloutState state, RolloutStep step, Set<String> serving, String rolledBack, Instant recheckAt,
    String deadlineMissed) {

  public RolloutDecision(
      RolloutState state, RolloutStep step, Set<String> serving, String rolledBack, Instant recheckAt) {
    this(state, step, serving, rolledBack, recheckAt, null);
  }

  public Map<String, Integer> desired() {
    return step.desired();
  }

  /** Rolling: the fleet is not (yet) entirely on its target revision. */
  public boolean rolling() {
    return !step.complete();
  }
}
