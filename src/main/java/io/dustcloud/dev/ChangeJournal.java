package io.dustcloud.dev;

import io.fabric8.mockwebserver.crud.AttributeSet;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Predicate;

/**
 * The recent changes to the store in resourceVersion order, so a plain-HTTP watch can be answered with the events
 * that happened after the resourceVersion it names. Bounded: a watch from before the oldest retained change gets
 * 410 Gone and re-lists, as against a real API server.
 */
final class ChangeJournal {

  /** One watch event: ADDED, MODIFIED or DELETED; key is the store key the object was (or is) filed under. */
  record Change(long resourceVersion, String type, AttributeSet key, String object) {}

  private final int capacity;
  private final Deque<Change> changes = new ArrayDeque<>();
  private long lastDropped;
  private long latest;

  ChangeJournal(int capacity) {
    this.capacity = capacity;
  }

  synchronized void append(Change change) {
    changes.addLast(change);
    latest = Math.max(latest, change.resourceVersion());
    if (changes.size() > capacity) {
      lastDropped = changes.removeFirst().resourceVersion();
    }
  }

  /** Whether changes after this resourceVersion may have been dropped already. */
  synchronized boolean isTooOld(long resourceVersion) {
    return resourceVersion < lastDropped;
  }

  synchronized long latest() {
    return latest;
  }

  /** As {@link #after}, reading from the newest back: cheap when only the last few changes are wanted. */
  synchronized List<Change> latestAfter(long resourceVersion, Predicate<Change> filter) {
    List<Change> out = new ArrayList<>();
    for (java.util.Iterator<Change> it = changes.descendingIterator(); it.hasNext();) {
      Change c = it.next();
      if (c.resourceVersion() <= resourceVersion) {
        break;
      }
      if (filter.test(c)) {
        out.add(0, c);
      }
    }
    return out;
  }

  synchronized List<Change> after(long resourceVersion, Predicate<Change> filter) {
    List<Change> out = new ArrayList<>();
    for (Change c : changes) {
      if (c.resourceVersion() > resourceVersion && filter.test(c)) {
        out.add(c);
      }
    }
    return out;
  }
}
