package io.dustcloud.core.rollout;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Decides which revision the fleet moves to and how far: follows the spec (or a pin), rolls
 * back automatically when a new revision misses its progress deadline or fails its
 * verification window, never retries a failed revision until the spec changes, and keeps the
 * previous revision warm for a while after a promotion. The split itself comes from
 * {@link RolloutPlanner}. Pure.
 */
public final class RevisionRollout {
  private RevisionRollout() {}

  /**
   * @param latest the revision of the current spec
   * @param pinned the revision {@code spec.revision} names, or null
   * @param state what was recorded last time
   * @param total the fleet's size (from the autoscaler)
   * @param current instances per revision now, oldest revision first
   * @param unhealthy unhealthy instances per revision now
   */
  public static RolloutDecision decide(
      String latest,
      String pinned,
      RolloutState state,
      RolloutPolicy policy,
      int total,
      Map<String, RevisionCounts> current,
      Map<String, Integer> unhealthy,
      Instant now) {
    RolloutState s = state;
    // a failure is forgotten once the spec names something else (a new spec or a pin)
    if (s.failed() != null && (pinned != null || !latest.equals(s.failed()))) {
      s = s.withoutFailure();
    }
    String target = pinned != null ? pinned : latest;
    if (pinned == null && target.equals(s.failed()) && s.lastGood() != null) {
      target = s.lastGood();
    }
    if (!target.equals(s.update())) {
      s = s.withUpdate(target, now);
    }
    String rolledBack = null;
    RevisionCounts t = current.getOrDefault(target, new RevisionCounts(0, 0));
    boolean automatic = policy.autoRollback() && pinned == null && s.lastGood() != null
        && !target.equals(s.lastGood());
    if (automatic && s.promoted() == null && s.rolloutStarted() != null
        && !now.isBefore(s.rolloutStarted().plus(policy.progressDeadline())) && t.ready() < total) {
      rolledBack = "ProgressDeadlineExceeded: " + t.ready() + " of " + total + " instances of " + target
          + " ready after " + policy.progressDeadline().toSeconds() + "s";
    } else if (automatic && s.promoted() != null && now.isBefore(s.promoted().plus(policy.verification()))
        && unhealthy.getOrDefault(target, 0) > 0) {
      rolledBack = "FailedVerification: " + unhealthy.get(target) + " instances of " + target
          + " became unhealthy within " + policy.verification().toSeconds() + "s of its promotion";
    }
    if (rolledBack != null) {
      s = s.withFailed(target, rolledBack).withUpdate(s.lastGood(), now);
      target = s.update();
    }
    // a missed deadline that is not rolled back is still a failure to report (a Deployment's
    // ProgressDeadlineExceeded): the rollout goes on, but it needs a person
    Instant deadline = s.rolloutStarted() == null ? null : s.rolloutStarted().plus(policy.progressDeadline());
    boolean deadlineWatched = rolledBack == null && s.promoted() == null && deadline != null;
    String deadlineMissed = deadlineWatched && !now.isBefore(deadline) && t.ready() < total
        ? target + " did not have all its instances ready within its progress deadline of "
            + policy.progressDeadline().toSeconds() + "s (rollout started " + s.rolloutStarted() + ")"
            + "; " + whyNotRolledBack(policy, pinned, s, target) + ". The rollout keeps trying."
        : null;

    int surge = RolloutPlanner.resolve(policy.maxSurge(), total, true);
    int unavailable = RolloutPlanner.resolve(policy.maxUnavailable(), total, false);
    // a failed revision serves nobody: drop it from the plan's availability accounting
    Map<String, RevisionCounts> counted = new LinkedHashMap<>(current);
    if (s.failed() != null && !s.failed().equals(target) && counted.containsKey(s.failed())) {
      RevisionCounts f = counted.get(s.failed());
      counted.put(s.failed(), new RevisionCounts(f.running(), 0));
    }
    RolloutStep step = RolloutPlanner.plan(target, total, counted, surge, unavailable);
    if (s.promoted() == null) {
      step = keepingPreviousWarm(step, s, policy, target, total, current);
    }

    Instant recheck = null;
    if (step.complete() && s.promoted() == null) {
      s = s.promotedAt(now);
    }
    Set<String> serving = new LinkedHashSet<>();
    String keptNote = "";
    if (s.promoted() != null) {
      serving.add(target);
      Instant verified = s.promoted().plus(policy.verification());
      if (!now.isBefore(verified) && !target.equals(s.lastGood())) {
        s = s.withLastGood(target);
      } else if (now.isBefore(verified)) {
        recheck = verified;
      }
      // keep the previous revision warm (not serving) so a rollback is instant
      Instant keepUntil = s.promoted().plus(policy.keepPrevious());
      if (s.previous() != null && !s.previous().equals(target) && now.isBefore(keepUntil)
          && !s.previous().equals(s.failed())) {
        RevisionCounts prev = current.getOrDefault(s.previous(), new RevisionCounts(0, 0));
        Map<String, Integer> desired = new LinkedHashMap<>(step.desired());
        int kept = Math.min(prev.running(), total);
        desired.put(s.previous(), kept);
        step = new RolloutStep(desired, step.complete(), step.progress());
        keptNote = "; " + kept + " of " + s.previous() + " kept without traffic for a rollback until " + keepUntil;
        recheck = earliest(recheck, keepUntil);
      }
      // promoted and whole, the rollout is over: what else still runs serves nobody (kept for a
      // rollback, or leaving), and does not make the fleet "rolling"
      RevisionCounts promotedCounts = current.getOrDefault(target, new RevisionCounts(0, 0));
      if (promotedCounts.running() == total && promotedCounts.ready() == total) {
        step = new RolloutStep(step.desired(), true,
            RolloutPlanner.whole(total, target) + keptNote);
      }
    } else {
      serving.addAll(current.keySet());
      serving.add(target);
      if (s.failed() != null) {
        serving.remove(s.failed());
      }
      if (deadlineWatched && now.isBefore(deadline)) {
        recheck = deadline;
      }
    }
    return new RolloutDecision(s, step, serving, rolledBack, recheck, s.promoted() == null ? deadlineMissed : null);
  }

  /**
   * While a rollout runs, the previous revision's ready instances that the plan drains keep
   * running — and serving, as their revision still does until the promotion — so that after
   * the promotion they are there, warm and without traffic, for {@code keepPrevious}: at any
   * fleet size, not only when the plan happened to leave some. The rollout completes when the
   * target is whole and the plan would have drained the previous revision entirely. This is the
   * one place the fleet exceeds {@code total + maxSurge}: keeping the previous revision is what
   * {@code keepPreviousSeconds} asks for.
   */
  private static RolloutStep keepingPreviousWarm(RolloutStep step, RolloutState s, RolloutPolicy policy,
      String target, int total, Map<String, RevisionCounts> current) {
    String previous = s.previous();
    if (previous == null || previous.equals(target) || previous.equals(s.failed()) || policy.keepPrevious().isZero()
        || !current.containsKey(previous)) {
      return step;
    }
    int planned = step.desired().getOrDefault(previous, 0);
    int warm = Math.min(current.get(previous).ready(), total);
    Map<String, Integer> desired = new LinkedHashMap<>(step.desired());
    desired.put(previous, Math.max(planned, warm));
    RevisionCounts t = current.getOrDefault(target, new RevisionCounts(0, 0));
    boolean othersDrained = current.entrySet().stream()
        .filter(e -> !e.getKey().equals(target) && !e.getKey().equals(previous))
        .allMatch(e -> e.getValue().running() == 0);
    boolean complete = t.running() == total && t.ready() == total && othersDrained && planned == 0;
    String progress = complete ? RolloutPlanner.whole(total, target) : step.progress();
    return new RolloutStep(desired, complete, progress);
  }

  private static String whyNotRolledBack(RolloutPolicy policy, String pinned, RolloutState s, String target) {
    if (pinned != null) {
      return "a pinned revision is not rolled back";
    }
    if (!policy.autoRollback()) {
      return "automatic rollback is off";
    }
    return target.equals(s.lastGood()) ? "it is the last good revision" : "there is no good revision to roll back to";
  }

  private static Instant earliest(Instant a, Instant b) {
    return a == null ? b : b == null ? a : a.isBefore(b) ? a : b;
  }
}
