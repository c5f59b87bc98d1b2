package io.dustcloud.core.rollout;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The next desired split between revisions during a rollout, like a Deployment's rolling
 * update but re-planned from observed counts on every step, so it keeps following the
 * autoscaler's total while it rolls. Invariants, for any input:
 *
 * <ul>
 *   <li>the plan never asks for more than {@code total + maxSurge} instances;
 *   <li>the plan never stops a ready instance if that would leave fewer than
 *       {@code total - maxUnavailable} ready ones (counting only instances that are ready
 *       now and kept);
 *   <li>old revisions are drained oldest first; instances that do not serve (not ready) are
 *       dropped first, since removing them costs no availability.
 * </ul>
 */
public final class RolloutPlanner {
  private RolloutPlanner() {}

  /**
   * @param target the revision the fleet moves to
   * @param total the fleet's size (from the autoscaler)
   * @param current instances per revision now, oldest revision first (may include the target)
   * @param maxSurge instances allowed above {@code total}
   * @param maxUnavailable ready instances allowed below {@code total}
   */
  public static RolloutStep plan(
      String target, int total, Map<String, RevisionCounts> current, int maxSurge, int maxUnavailable) {
    if (total < 0 || maxSurge < 0 || maxUnavailable < 0) {
      throw new IllegalArgumentException("negative total, surge or unavailability");
    }
    RevisionCounts t = current.getOrDefault(target, new RevisionCounts(0, 0));
    List<String> old = new ArrayList<>(current.keySet());
    old.remove(target);
    int readyOld = old.stream().mapToInt(r -> current.get(r).ready()).sum();

    // Old instances that do not serve go at once: removing them costs no availability.
    // Ready old instances go for two reasons only, and never below the availability floor:
    // they are surplus (the target's ready instances already cover the total), or the target
    // needs their room because the surge allowance is used up.
    int maxInstances = total + maxSurge;
    int minReady = Math.max(0, total - maxUnavailable);
    int canRemove = Math.max(0, t.ready() + readyOld - minReady);
    int surplus = Math.max(0, readyOld - Math.max(0, total - t.ready()));
    int roomNeeded = Math.max(0, t.running() + readyOld + Math.max(0, total - t.running()) - maxInstances);
    int keepOld = Math.max(0, readyOld - Math.min(canRemove, Math.max(surplus, roomNeeded)));
    // the target grows into whatever room is left, and never shrinks below what runs unless
    // the total itself shrank
    int targetDesired = t.running() >= total ? total
        : Math.max(t.running(), Math.min(total, maxInstances - keepOld));

    Map<String, Integer> desired = new LinkedHashMap<>();
    desired.put(target, targetDesired);
    // drain oldest first: keep the newest old revisions' ready instances longest
    List<String> newestFirst = new ArrayList<>(old);
    Collections.reverse(newestFirst);
    int left = keepOld;
    for (String r : newestFirst) {
      int keep = Math.min(left, current.get(r).ready());
      desired.put(r, keep);
      left -= keep;
    }
    boolean complete = old.stream().allMatch(r -> current.get(r).running() == 0)
        && t.running() == total && t.ready() == total;
    String progress = complete
        ? whole(total, target)
        : t.ready() + " of " + total + " instances of " + target + " ready, " + readyOld
            + " of older revisions serving";
    return new RolloutStep(desired, complete, progress);
  }

  /** The progress of a rollout whose target has all its instances, ready. */
  static String whole(int total, String target) {
    return total + " of " + total + " instances of " + target + " ready";
  }

  /** Resolves "N" or "N%" of {@code total}; percentages round up for surge, down for unavailability. */
  public static int resolve(String value, int total, boolean roundUp) {
    String s = value.trim();
    if (s.endsWith("%")) {
      double exact = total * Double.parseDouble(s.substring(0, s.length() - 1)) / 100.0;
      return (int) (roundUp ? Math.ceil(exact) : Math.floor(exact));
    }
    return Integer.parseInt(s);
  }
}
