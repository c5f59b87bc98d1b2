package io.dustcloud.core.rollout;

import java.time.Duration;

/**
 * @param maxSurge instances allowed above the total ("N" or "N%")
 * @param maxUnavailable ready instances allowed below the total ("N" or "N%")
 * @param progressDeadline how long a new revision may take to become fully ready
 * @param verification after promotion, how long the revision must stay healthy before it is
 *     the last good one; a failure inside this window rolls back
 * @param keepPrevious after promotion, how long the previous revision's instances are kept
 *     (not serving) so a rollback inside that window is instant
 * @param autoRollback roll back automatically on a missed deadline or a failed verification
 */
public record RolloutPolicy(
    String maxSurge,
    String maxUnavailable,
    Duration progressDeadline,
    Duration verification,
    Duration keepPrevious,
    boolean autoRollback) {

  /** The same, with no previous revision kept after a promotion. */
  public RolloutPolicy withoutKeepPrevious() {
    return new RolloutPolicy(maxSurge, maxUnavailable, progressDeadline, verification, Duration.ZERO, autoRollback);
  }

  public static final RolloutPolicy DEFAULT = new RolloutPolicy("25%", "0", Duration.ofMinutes(10),
      Duration.ofSeconds(30), Duration.ofSeconds(30), true);
}
