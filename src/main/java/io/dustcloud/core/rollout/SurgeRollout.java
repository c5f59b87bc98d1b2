package io.dustcloud.core.rollout;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The simplest zero-downtime split: start all of the target revision at once and keep older
 * revisions' instances only while the target has fewer ready instances than wanted. Nothing
 * ready is stopped before a ready replacement exists (surge 100 %, unavailable 0).
 */
public final class SurgeRollout {
  private SurgeRollout() {}

  /**
   * @param target the revision the fleet moves to
   * @param total how many instances the fleet should serve with
   * @param running instances that exist now, per revision, oldest revision first
   * @param ready instances passing health checks now, per revision
   * @return desired instances per revision; the target first
   */
  public static Map<String, Integer> split(
      String target, int total, Map<String, Integer> running, Map<String, Integer> ready) {
    Map<String, Integer> desired = new LinkedHashMap<>();
    desired.put(target, total);
    int gap = Math.max(0, total - ready.getOrDefault(target, 0));
    // keep the newest old revisions first: they are the most likely to be the last good one
    List<String> olderNewestFirst =
        new ArrayList<>(running.keySet().stream().filter(r -> !r.equals(target)).toList());
    Collections.reverse(olderNewestFirst);
    for (String revision : olderNewestFirst) {
      int keep = Math.min(gap, ready.getOrDefault(revision, 0));
      desired.put(revision, keep);
      gap -= keep;
    }
    return desired;
  }
}
