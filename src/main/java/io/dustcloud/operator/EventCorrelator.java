package io.dustcloud.operator;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Decides what becomes of an event before it reaches the API server, as client-go's
 * {@code EventCorrelator} does, so that a fleet replacing an instance every second, or a
 * thousand fleets failing at once, cost the API server a bounded number of writes and
 * {@code kubectl describe} shows one line with a count instead of a screenful:
 *
 * <ul>
 *   <li>a repeat of an event (same object, type, reason and message) counts up the Event already
 *       written ({@code count}, {@code lastTimestamp}) instead of creating another;
 *   <li>more than {@value #SIMILAR_MESSAGES} different messages with one object, type and reason
 *       within {@link #SIMILAR_WINDOW} are combined into one Event whose message is
 *       {@value #COMBINED} followed by the latest message;
 *   <li>where client-go drops events beyond a per-object budget, repeats here are written at
 *       most once per {@link #REPEAT_WRITE_INTERVAL} per Event: the count is kept and written
 *       when due ({@link #due}), so nothing an SRE would count on is lost.
 * </ul>
 *
 * Pure: time comes in as arguments; not thread-safe (the recorder serializes calls).
 */
final class EventCorrelator {
  static final int SIMILAR_MESSAGES = 10;
  static final Duration SIMILAR_WINDOW = Duration.ofMinutes(10);
  static final Duration REPEAT_WRITE_INTERVAL = Duration.ofSeconds(10);
  /** Events remembered (client-go keeps 4,096); the least recently seen is forgotten first. */
  static final int MAX_TRACKED = 4096;
  static final String COMBINED = "(combined from similar events): ";

  /** The object an event is about, as its involvedObject names it. */
  record Subject(String namespace, String apiVersion, String kind, String name, String uid) {}

  /**
   * A write to make: a new Event ({@code create}) or the count of one already written.
   *
   * @param eventName the Event's name (chosen by the recorder for a new one)
   */
  record Write(boolean create, Subject subject, String type, String reason, String message,
      String eventName, int count, Instant first, Instant last) {}

  private record SimilarKey(Subject subject, String type, String reason) {}

  private record EventKey(Subject subject, String type, String reason, String message) {}

  private static final class Similar {
    Instant windowStart;
    final Set<String> messages = new HashSet<>();
  }

  private static final class Seen {
    String eventName;
    String message;
    int count;
    Instant first;
    Instant last;
    Instant written;
    int writtenCount;
  }

  private final Map<SimilarKey, Similar> similar = lru();
  private final Map<EventKey, Seen> seen = lru();

  /**
   * Observes an event; returns the write to make now, or null when the repeat is only counted
   * (it is written by {@link #due} once {@link #REPEAT_WRITE_INTERVAL} has passed).
   *
   * @param newName the name for the Event should one be created
   */
  Write observe(Subject subject, String type, String reason, String message, Instant now, String newName) {
    SimilarKey sk = new SimilarKey(subject, type, reason);
    Similar sim = similar.computeIfAbsent(sk, k -> new Similar());
    if (sim.windowStart == null || !now.isBefore(sim.windowStart.plus(SIMILAR_WINDOW))) {
      sim.windowStart = now;
      sim.messages.clear();
    }
    if (sim.messages.size() <= SIMILAR_MESSAGES) {
      sim.messages.add(message); // beyond the threshold everything is combined: no need to keep more
    }
    boolean combined = sim.messages.size() > SIMILAR_MESSAGES;
    EventKey key = new EventKey(subject, type, reason, combined ? COMBINED : message);
    String shown = combined ? COMBINED + message : message;

    Seen s = seen.get(key);
    if (s == null) {
      s = new Seen();
      s.eventName = newName;
      s.count = 1;
      s.first = now;
      s.last = now;
      s.message = shown;
      s.written = now;
      s.writtenCount = 1;
      seen.put(key, s);
      return new Write(true, subject, type, reason, shown, newName, 1, now, now);
    }
    s.count++;
    s.last = now;
    s.message = shown;
    if (!now.isBefore(s.written.plus(REPEAT_WRITE_INTERVAL))) {
      return written(key, s, now);
    }
    return null;
  }

  /** Counts not yet written whose interval has passed (all of them with {@code flushAll}). */
  List<Write> due(Instant now, boolean flushAll) {
    List<Write> writes = new ArrayList<>();
    for (var e : seen.entrySet()) {
      Seen s = e.getValue();
      if (s.count != s.writtenCount && (flushAll || !now.isBefore(s.written.plus(REPEAT_WRITE_INTERVAL)))) {
        writes.add(written(e.getKey(), s, now));
      }
    }
    return writes;
  }

  /** The Event behind an earlier write was gone (expired): later writes go to {@code newName}. */
  void renamed(Write w, String newName) {
    for (Seen s : seen.values()) {
      if (s.eventName.equals(w.eventName())) {
        s.eventName = newName;
      }
    }
  }

  int tracked() {
    return seen.size();
  }

  private static Write written(EventKey key, Seen s, Instant now) {
    s.written = now;
    s.writtenCount = s.count;
    return new Write(false, key.subject(), key.type(), key.reason(), s.message, s.eventName, s.count, s.first, s.last);
  }

  private static <K, V> Map<K, V> lru() {
    return new LinkedHashMap<>(64, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
        return size() > MAX_TRACKED;
      }
    };
  }
}
