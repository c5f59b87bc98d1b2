package io.dustcloud.core.rollout;

import java.time.Instant;

/**
 * What the fleet remembers between reconciles about where it is going (persisted in the
 * Unikernel's status, so a restarted operator resumes).
 *
 * @param current the revision that served when the last rollout completed
 * @param update the revision the fleet is moving to (or is on)
 * @param lastGood the newest revision that served healthily through its verification window
 * @param failed a revision that was rolled back automatically; not tried again until the spec
 *     names another revision
 * @param failureReason why {@code failed} was rolled back
 * @param previous the revision served before {@code update} was promoted (kept warm for a while)
 * @param rolloutStarted when the fleet started moving to {@code update}
 * @param promoted when {@code update} completed its rollout (null while rolling)
 */
public record RolloutState(
    String current,
    String update,
    String lastGood,
    String failed,
    String failureReason,
    String previous,
    Instant rolloutStarted,
    Instant promoted) {

  public static final RolloutState NONE = new RolloutState(null, null, null, null, null, null, null, null);

  RolloutState withUpdate(String revision, Instant now) {
    return new RolloutState(current, revision, lastGood, failed, failureReason, current, now, null);
  }

  RolloutState withFailed(String revision, String reason) {
    return new RolloutState(current, update, lastGood, revision, reason, previous, rolloutStarted, promoted);
  }

  RolloutState withoutFailure() {
    return new RolloutState(current, update, lastGood, null, null, previous, rolloutStarted, promoted);
  }

  RolloutState promotedAt(Instant now) {
    return new RolloutState(update, update, lastGood, failed, failureReason, previous, rolloutStarted, now);
  }

  RolloutState withLastGood(String revision) {
    return new RolloutState(current, update, revision, failed, failureReason, previous, rolloutStarted, promoted);
  }
}
