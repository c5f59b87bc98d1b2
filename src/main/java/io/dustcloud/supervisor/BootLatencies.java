package io.dustcloud.supervisor;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Recent boot latencies (instance start to first passing probe) per revision, for the median
 * in the revision's status. Bounded: a long-lived revision's median follows recent boots,
 * and memory stays constant. Used by one supervisor tick at a time.
 */
final class BootLatencies {
  static final int WINDOW = 101;
  private final Map<String, Deque<Long>> byRevision = new HashMap<>();

  void record(String revision, long millis) {
    Deque<Long> recent = byRevision.computeIfAbsent(revision, r -> new ArrayDeque<>());
    if (recent.size() == WINDOW) {
      recent.removeFirst();
    }
    recent.addLast(millis);
  }

  /** Forgets revisions the fleet no longer runs. */
  void retain(Set<String> revisions) {
    byRevision.keySet().retainAll(revisions);
  }

  /** The median of each revision's recent boots (the lower middle of an even count). */
  Map<String, Long> medians() {
    Map<String, Long> medians = new HashMap<>();
    byRevision.forEach((rev, recent) -> {
      long[] sorted = recent.stream().mapToLong(Long::longValue).sorted().toArray();
      if (sorted.length > 0) {
        medians.put(rev, sorted[(sorted.length - 1) / 2]);
      }
    });
    return medians;
  }
}
