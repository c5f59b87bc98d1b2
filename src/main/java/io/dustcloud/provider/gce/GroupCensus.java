package io.dustcloud.provider.gce;

import com.google.cloud.compute.v1.InstanceGroupManager;
import io.dustcloud.provider.FleetId;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every Dustcloud group of a project, from one aggregated listing per observation interval,
 * shared by all fleets: each group's fingerprint (changed by any change of the group) and
 * whether it is stable (no instance being created, recreated or deleted). A fleet whose group
 * is stable and unchanged since its last instance listing needs no listing of its own — so a
 * project of settled fleets costs one read per interval, whatever the fleet count. Groups have
 * no labels in GCE; ours are told apart by their {@code dc-} names.
 */
final class GroupCensus {
  private static final Logger log = LoggerFactory.getLogger(GroupCensus.class);
  /** The budget's queue the census waits in: its own, served fairly with the fleets'. */
  static final FleetId CENSUS = new FleetId("dustcloud-system", "gce-census");

  /** What the census says of one group. */
  record Summary(String fingerprint, boolean stable, Instant seenAt) {}

  private record Snapshot(Map<String, Summary> groups, Instant at) {}

  private final ComputeApi api;
  private final GceCalls calls;
  private final Clock clock;
  private final Duration interval;
  private final Executor background;
  private final Map<String, Snapshot> byProject = new ConcurrentHashMap<>();
  private final Map<String, AtomicBoolean> refreshing = new ConcurrentHashMap<>();

  GroupCensus(ComputeApi api, GceCalls calls, Clock clock, Duration interval, Executor background) {
    this.api = api;
    this.calls = calls;
    this.clock = clock;
    this.interval = interval;
    this.background = background;
  }

  /**
   * The group of {@code fleet} as the census last saw it, if that is recent (within two
   * intervals); an older census is refreshed in the background meanwhile. Empty when unknown.
   */
  Optional<Summary> of(GceLocation at, FleetId fleet) {
    if (interval.isZero()) {
      return Optional.empty(); // observed afresh every time: nothing to share
    }
    Snapshot s = byProject.get(at.project());
    Instant now = clock.instant();
    if (s == null || !now.isBefore(s.at().plus(interval))) {
      refreshInBackground(at.project());
    }
    if (s == null || !now.isBefore(s.at().plus(interval.multipliedBy(2)))) {
      return Optional.empty();
    }
    return Optional.ofNullable(s.groups().get(key(at, GceNames.group(fleet))));
  }

  /** When the project's census was last taken (tests wait for a background one); null before the first. */
  Instant seenAt(String project) {
    Snapshot s = byProject.get(project);
    return s == null ? null : s.at();
  }

  private void refreshInBackground(String project) {
    AtomicBoolean busy = refreshing.computeIfAbsent(project, p -> new AtomicBoolean());
    if (!busy.compareAndSet(false, true)) {
      return;
    }
    background.execute(() -> {
      try {
        refresh(project);
      } catch (RuntimeException e) {
        log.debug("census of {} failed: {}", project, e.getMessage());
      } finally {
        busy.set(false);
      }
    });
  }

  private void refresh(String project) {
    Instant at = clock.instant();
    Map<String, Summary> groups = new HashMap<>();
    for (InstanceGroupManager g : calls.read(CENSUS, "instanceGroupManagers.aggregatedList",
        () -> api.listAllGroups(project))) {
      if (g.getName().startsWith("dc-")) {
        String scope = g.hasRegion() ? "regions/" + GceNames.lastSegment(g.getRegion())
            : "zones/" + GceNames.lastSegment(g.getZone());
        groups.put(scope + "/" + g.getName(), new Summary(g.getFingerprint(), g.getStatus().getIsStable(), at));
      }
    }
    byProject.put(project, new Snapshot(groups, at));
  }

  private static String key(GceLocation at, String group) {
    return (at.regional() ? "regions/" + at.region() : "zones/" + at.zone()) + "/" + group;
  }
}
