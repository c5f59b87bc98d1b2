package io.dustcloud.dev;

import io.fabric8.mockwebserver.crud.AttributeSet;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The recent changes to the store in resourceVersion order, so a plain-HTTP watch can be answered with the events
 * that happened after the resourceVersion it names. Bounded: a watch from before the oldest retained change gets
 * 410 Gone and re-lists, as against a real API server. Open plain-HTTP watches subscribe to hear of each change as it
 * is appended.
 */
final class ChangeJournal {

  /** One watch event: ADDED, MODIFIED or DELETED; key is the store key the object was (or is) filed under. */
  record Change(long resourceVersion, String type, AttributeSet key, String object) {}

  // Identity matters: two subscriptions with equal filter and listener are still two.
  private static final class Subscriber {
    private final Predicate<Change> filter;
    private final Consumer<Change> listener;

    Subscriber(Predicate<Change> filter, Consumer<Change> listener) {
      this.filter = filter;
      this.listener = listener;
    }

    Predicate<Change> filter() {
      return filter;
    }

    Consumer<Change> listener() {
      return listener;
    }
  }

  private final int capacity;
  private final Deque<Change> changes = new ArrayDeque<>();
  private final List<Subscriber> subscribers = new ArrayList<>();
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
    for (Subscriber s : List.copyOf(subscribers)) {
      if (s.filter().test(change)) {
        s.listener().accept(change);
      }
    }
  }

  /**
   * Hands the listener every retained change after the resourceVersion that passes the filter, then every later
   * one as it is appended, until the returned action is run. Replay and registration happen under one lock, so no
   * change falls between them or comes twice. The listener runs with the journal (and the store) locked: it must
   * not block.
   */
  synchronized Runnable subscribe(long after, Predicate<Change> filter, Consumer<Change> listener) {
    after(after, filter).forEach(listener);
    Subscriber subscriber = new Subscriber(filter, listener);
    subscribers.add(subscriber);
    return () -> {
      synchronized (this) {
        subscribers.remove(subscriber);
      }
    };
  }

  synchronized int subscriberCount() {
    return subscribers.size();
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
