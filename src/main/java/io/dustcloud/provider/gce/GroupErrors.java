package io.dustcloud.provider.gce;

import com.google.cloud.compute.v1.InstanceGroupManager;
import com.google.cloud.compute.v1.InstanceManagedByIgmError;
import com.google.cloud.compute.v1.ManagedInstance;
import io.dustcloud.provider.CreationProblem;
import io.dustcloud.provider.FleetObservation;
import io.dustcloud.provider.InstanceView;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Why GCE is not creating a fleet's instances when the group's listing does not say: the
 * group's {@code listErrors}. A managed instance normally carries the cause of a failed creation
 * in its {@code lastAttempt} ({@link GceListings} reports that); between two of GCE's attempts,
 * or once it gave one up, it shows only as CREATING without a VM (or not at all), and the
 * error survives only in the group's error history.
 *
 * <p>Read only when that history can tell something the listing does not, and cheaply: when an
 * instance has had no VM, with no {@code lastAttempt} error, for longer than {@link #threshold}
 * (or the group, as last read, targets more instances than it lists for as long); in the
 * background (the observer never waits for it); at once, then backing off from 1 s doubling to
 * five minutes while what it says does not change. A fleet whose instances all have a VM is
 * never read, and forgets what was read.
 *
 * <p>An entry counts when it names an instance that has no VM now (or is not listed at all while
 * the group is short) and is no older than {@link #SLACK} before that instance was first seen
 * so: older entries are about an earlier incarnation, or an earlier trouble that is over. The
 * newest such entry per instance becomes a {@link CreationProblem} (Degraded with GCE's code and
 * message, as {@code lastAttempt} errors do), and the instance is no longer reported as
 * starting: it does not exist, so it must never count as a hung boot.
 */
final class GroupErrors {
  private static final Logger log = LoggerFactory.getLogger(GroupErrors.class);
  /** One page of the newest entries: a group failing to create N instances logs about N per attempt. */
  static final int PAGE = 100;
  static final Duration FIRST_DELAY = Duration.ofSeconds(1);
  static final Duration MAX_DELAY = Duration.ofMinutes(5);
  /**
   * How much older than the trouble an entry may be and still count: GCE stamps the failed
   * attempt before the listing that shows the instance without a VM (up to one observation
   * interval), and its clock and ours differ a little.
   */
  static final Duration SLACK = Duration.ofMinutes(2);
  /** The shortest wait before an instance without a VM is called behind (for very short observation intervals). */
  static final Duration MIN_THRESHOLD = Duration.ofSeconds(2);

  /** One entry of {@code listErrors}, as far as it matters here. */
  record Entry(String code, String message, String instance, Instant at) {}

  /** What one fleet's listings and error reads left; in {@link GceFleet}. */
  static final class Watch {
    /** Instances listed without a VM and without a lastAttempt error, since when (set by each listing). */
    volatile Map<String, Instant> withoutVm = Map.of();
    /** Every instance the last listing showed (not leaving). */
    volatile Set<String> listed = Set.of();
    /** Since when the group targets more instances than it lists, with no lastAttempt error to say why; null: it does not. */
    volatile Instant shortSince;
    /** The last read's entries, newest first; empty when nothing is behind. */
    volatile List<Entry> entries = List.of();
    /** What the last read explained, to tell whether the next one says anything new. */
    volatile Set<CreationProblem> explained = Set.of();
    volatile Instant readAfter = Instant.EPOCH;
    volatile Duration delay = Duration.ZERO;
    final AtomicBoolean reading = new AtomicBoolean();
  }

  private final ComputeApi api;
  private final GceCalls calls;
  private final Clock clock;
  private final Executor background;
  private final Duration threshold;

  /**
   * {@code threshold}: twice the observation interval, at least {@link #MIN_THRESHOLD}. GCE has a
   * VM (PROVISIONING) within seconds of accepting a creation; an instance still without one two
   * listings later (20 s by default) is not slow, it is failing.
   */
  GroupErrors(ComputeApi api, GceCalls calls, Clock clock, Executor background, Duration observeInterval) {
    this.api = api;
    this.calls = calls;
    this.clock = clock;
    this.background = background;
    Duration twice = observeInterval.multipliedBy(2);
    this.threshold = twice.compareTo(MIN_THRESHOLD) < 0 ? MIN_THRESHOLD : twice;
  }

  Duration threshold() {
    return threshold;
  }

  /**
   * Notes what a listing showed (under the fleet's lock): which instances have no VM with no
   * lastAttempt error, and whether the group is short of its target. A fleet with neither
   * forgets the errors it read.
   */
  static void listed(Watch w, List<ManagedInstance> managed, Optional<InstanceGroupManager> group, boolean explained,
      Instant now) {
    Map<String, Instant> before = w.withoutVm;
    Map<String, Instant> without = new HashMap<>();
    Set<String> names = new HashSet<>();
    for (ManagedInstance m : managed) {
      if (InstanceViews.leaving(m)) {
        continue;
      }
      names.add(m.getName());
      if (m.getInstanceStatus().isEmpty() && !InstanceViews.notCreated(m)
          && (m.getCurrentAction().equals("CREATING") || m.getCurrentAction().equals("RECREATING"))) {
        without.put(m.getName(), before.getOrDefault(m.getName(), now));
      }
    }
    boolean shortNow = !explained && group != null && group.isPresent() && names.size() < group.get().getTargetSize();
    w.withoutVm = Map.copyOf(without);
    w.listed = Set.copyOf(names);
    w.shortSince = shortNow ? (w.shortSince == null ? now : w.shortSince) : null;
    if (without.isEmpty() && w.shortSince == null) {
      w.entries = List.of();
      w.explained = Set.of();
      w.delay = Duration.ZERO;
      w.readAfter = Instant.EPOCH;
    }
  }

  /**
   * The observation with what the group's errors explain (see the class comment), and a read of
   * them queued in the background when the group is behind and the last read is old enough.
   */
  FleetObservation served(GceFleet f, FleetObservation o) {
    Watch w = f.errors;
    readIfBehind(f, w);
    List<CreationProblem> problems = problems(w, w.entries);
    if (problems.isEmpty()) {
      return o;
    }
    Set<String> missing = new HashSet<>();
    problems.forEach(p -> missing.add(p.instance()));
    List<InstanceView> instances = o.instances().stream().filter(i -> !missing.contains(i.id())).toList();
    List<CreationProblem> all = new ArrayList<>(o.problems());
    all.addAll(problems);
    return new FleetObservation(o.fleet(), instances, o.endpoint(), o.outOfRotation(), all);
  }

  private void readIfBehind(GceFleet f, Watch w) {
    Instant now = clock.instant();
    if (now.isBefore(w.readAfter) || !behind(w, now) || !w.reading.compareAndSet(false, true)) {
      return;
    }
    background.execute(() -> {
      try {
        GceLocation at = f.location;
        if (at == null) {
          return;
        }
        List<Entry> entries = calls.read(f.id, "instanceGroupManagers.listErrors",
            () -> api.listErrors(at, GceNames.group(f.id), PAGE)).stream().map(GroupErrors::entry).toList();
        Set<CreationProblem> explained = Set.copyOf(problems(w, entries));
        Duration next = Backoff.whileUnchanged(w.delay, explained.equals(w.explained), FIRST_DELAY, MAX_DELAY);
        w.entries = entries;
        w.explained = explained;
        w.delay = next;
        w.readAfter = clock.instant().plus(next);
        if (!explained.isEmpty()) {
          log.info("fleet {}: GCE cannot create {} instance(s): {}", f.id, explained.size(),
              explained.iterator().next().code());
        }
      } catch (RuntimeException e) {
        log.debug("fleet {}: reading the group's errors failed: {}", f.id, e.getMessage());
        w.readAfter = clock.instant().plus(FIRST_DELAY);
      } finally {
        w.reading.set(false);
      }
    });
  }

  /** An instance without a VM (and without a lastAttempt error) past the threshold, or the group short as long. */
  private boolean behind(Watch w, Instant now) {
    Instant cutoff = now.minus(threshold);
    Instant shortSince = w.shortSince;
    return (shortSince != null && !shortSince.isAfter(cutoff))
        || w.withoutVm.values().stream().anyMatch(since -> !since.isAfter(cutoff));
  }

  /** The newest counting entry per instance (entries come newest first), as problems. */
  static List<CreationProblem> problems(Watch w, List<Entry> entries) {
    if (entries.isEmpty()) {
      return List.of();
    }
    Map<String, Instant> without = w.withoutVm;
    Set<String> listed = w.listed;
    Instant shortSince = w.shortSince;
    Map<String, CreationProblem> newest = new LinkedHashMap<>();
    for (Entry e : entries) {
      Instant since = without.containsKey(e.instance()) ? without.get(e.instance())
          : shortSince != null && !listed.contains(e.instance()) ? shortSince : null;
      if (since != null && e.at() != null && !e.at().isBefore(since.minus(SLACK))) {
        newest.putIfAbsent(e.instance(), new CreationProblem(e.code(), e.instance(), e.message()));
      }
    }
    return List.copyOf(newest.values());
  }

  private static Entry entry(InstanceManagedByIgmError e) {
    Instant at;
    try {
      at = java.time.OffsetDateTime.parse(e.getTimestamp()).toInstant(); // RFC 3339, with GCE's offset
    } catch (DateTimeParseException ex) {
      at = null; // no usable time: it cannot be told from an old entry, so it does not count
    }
    return new Entry(e.getError().getCode(), e.getError().getMessage(),
        GceNames.lastSegment(e.getInstanceActionDetails().getInstance()), at);
  }
}
