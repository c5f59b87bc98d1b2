package io.dustcloud.operator;

import io.dustcloud.core.rollout.RevisionCounts;
import io.dustcloud.core.rollout.RolloutState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The rollout state read back from status, believed only as far as it can be checked: every
 * revision it names must be one of this Unikernel's ({@link RevisionTrust}), and what it says
 * serves must agree with what runs. A value that fails is dropped and rebuilt from what runs
 * (or left empty when nothing verifiable is there); the caller warns, and the next status write
 * replaces the forged value. Pure.
 */
final class StatusTrust {
  private StatusTrust() {}

  /** The state to act on, and one line per value dropped (empty when all of it held). */
  record Verified(RolloutState state, List<String> dropped) {}

  /**
   * @param own the names of this Unikernel's revisions
   * @param counts instances running and ready per revision now, oldest revision first
   */
  static Verified verify(RolloutState s, Set<String> own, Map<String, RevisionCounts> counts) {
    List<String> dropped = new ArrayList<>();
    String update = s.update();
    var started = s.rolloutStarted();
    var promoted = s.promoted();
    if (update != null && !own.contains(update)) {
      dropped.add(drop("updateRevision", update, "none (the rollout starts again from the spec)", own));
      update = null;
      started = null;
      promoted = null;
    }
    String current = s.current();
    // promoting makes the update current (RolloutState.promotedAt): a promoted state that says
    // otherwise was not written by the operator
    boolean contradicts = current != null && promoted != null && !current.equals(update);
    if (current != null && (!own.contains(current) || contradicts)) {
      String rebuilt = promoted != null ? update : newest(counts, own, update, failed(s, own), true);
      dropped.add(contradicts && own.contains(current)
          ? "status.currentRevision named " + current + ", but " + update + " was promoted; rebuilt as " + rebuilt
          : drop("currentRevision", current, rebuilt == null ? "none" : rebuilt, own));
      current = rebuilt;
    }
    String previous = s.previous();
    if (previous != null && !own.contains(previous)) {
      String rebuilt = newest(counts, own, update, failed(s, own), false);
      dropped.add(drop("previousRevision", previous, rebuilt == null ? "none" : rebuilt, own));
      previous = rebuilt;
    }
    String failed = s.failed();
    String failureReason = s.failureReason();
    if (failed != null && !own.contains(failed)) {
      dropped.add(drop("failedRevision", failed, "none", own));
      failed = null;
      failureReason = null;
    }
    String lastGood = s.lastGood();
    if (lastGood != null && !own.contains(lastGood)) {
      String rebuilt = verifiableGood(counts, failed, update, current, previous);
      dropped.add(drop("lastGoodRevision", lastGood, rebuilt == null ? "none" : rebuilt, own));
      lastGood = rebuilt;
    }
    return new Verified(
        new RolloutState(current, update, lastGood, failed, failureReason, previous, started, promoted), dropped);
  }

  /**
   * The revision to roll back to when status's is forged: the one that served before the
   * update (current, else previous) when it still runs with ready instances — it served, and
   * still does. Never the update itself: that one has not shown it is good.
   */
  private static String verifiableGood(Map<String, RevisionCounts> counts, String failed, String update,
      String... candidates) {
    for (String c : candidates) {
      if (c != null && !c.equals(update) && !c.equals(failed) && counts.containsKey(c) && counts.get(c).ready() > 0) {
        return c;
      }
    }
    return null;
  }

  /**
   * The newest of this Unikernel's revisions, other than the update and the failed one, with
   * instances running (or ready, when {@code ready}).
   */
  private static String newest(Map<String, RevisionCounts> counts, Set<String> own, String update, String failed,
      boolean ready) {
    String newest = null;
    for (var e : counts.entrySet()) {
      String rev = e.getKey();
      int n = ready ? e.getValue().ready() : e.getValue().running();
      if (own.contains(rev) && !rev.equals(update) && !rev.equals(failed) && n > 0) {
        newest = rev;
      }
    }
    return newest;
  }

  private static String failed(RolloutState s, Set<String> own) {
    return s.failed() != null && own.contains(s.failed()) ? s.failed() : null;
  }

  private static String drop(String field, String value, String rebuilt, Set<String> own) {
    return "status." + field + " named " + value + ", which is not one of this Unikernel's revisions"
        + " (not its own, or deleted; its revisions: " + (own.isEmpty() ? "none" : String.join(", ", own))
        + "); dropped, rebuilt as " + rebuilt;
  }
}
