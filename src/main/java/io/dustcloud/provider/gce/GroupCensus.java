package io.dustcloud.provider.gce;

import com.google.cloud.compute.v1.InstanceGroupManager;
import io.dustcloud.provider.FleetId;
import io.dustcloud.provider.ProviderException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every Dustcloud group of a project, shared by all fleets: whether each is stable (no instance
 * being created, recreated or deleted) and since when the census has seen it unchanged. A fleet
 * whose group is stable and unchanged since its last listing needs no listing of its own, and a
 * realize no read of the group of its own.
 *
 * <p>What it costs does not grow with the fleet count. Each observation interval one aggregated
 * listing of the groups <em>in motion</em> ({@code status.isStable = false}: one page unless
 * more than 500 groups change at once); every {@link #FULL_EVERY}th interval one listing of all
 * groups (one page per 500), which also catches what changes a group without setting it in
 * motion (a template set by hand, a policy patched). So a project of settled fleets costs about
 * {@code FULL_EVERY - 1 + ceil(groups / 500)} reads per {@code FULL_EVERY} intervals: 7 a minute
 * for 1,000 fleets at the 10 s default, 6 for 100. Should GCE refuse the filter, every census
 * lists all groups (logged once). Groups have no labels in GCE; ours are told apart by their
 * {@code dc-} names.
 */
final class GroupCensus {
  private static final Logger log = LoggerFactory.getLogger(GroupCensus.class);
  /** The budget's queue the census waits in: its own, served fairly with the fleets'. */
  static final FleetId CENSUS = new FleetId("dustcloud-system", "gce-census");
  /** One census in this many lists every group, the others only the groups in motion. */
  static final int FULL_EVERY = 6;
  static final String IN_MOTION = "status.isStable = false";

  /**
   * What the census says of one group: stable or not as of {@code seenAt}, and unchanged since
   * {@code changedAt} (the census that last saw it in motion, changed, or first).
   */
  record Summary(boolean stable, Instant seenAt, Instant changedAt, String fingerprint) {

    /**
     * Whether what was read of the group at {@code readAt} still holds: it was read after the
     * last change the census saw, and the census, taken since, sees it stable.
     */
    boolean confirms(Instant readAt) {
      return stable && !seenAt.isBefore(readAt) && !readAt.isBefore(changedAt);
    }
  }

  private record Snapshot(Map<String, Summary> groups, Instant at, int sinceFull) {}

  private final ComputeApi api;
  private final GceCalls calls;
  private final Clock clock;
  private final Duration interval;
  private final Executor background;
  private final Map<String, Snapshot> byProject = new ConcurrentHashMap<>();
  private final Map<String, AtomicBoolean> refreshing = new ConcurrentHashMap<>();
  private volatile boolean filterRefused;

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
    Snapshot prev = byProject.get(project);
    boolean full = prev == null || filterRefused || prev.sinceFull() + 1 >= FULL_EVERY;
    List<InstanceGroupManager> listed;
    if (full) {
      listed = calls.readAhead(CENSUS, "instanceGroupManagers.aggregatedList", () -> api.listAllGroups(project, ""));
    } else {
      try {
        listed = calls.readAhead(CENSUS, "instanceGroupManagers.aggregatedList " + IN_MOTION,
            () -> api.listAllGroups(project, IN_MOTION));
      } catch (ProviderException e) {
        if (!GceError.of(e).invalid()) {
          throw e;
        }
        log.warn("GCE refuses the census filter '{}' ({}); every census lists all groups from now on",
            IN_MOTION, e.getMessage());
        filterRefused = true;
        listed = calls.readAhead(CENSUS, "instanceGroupManagers.aggregatedList", () -> api.listAllGroups(project, ""));
        full = true;
      }
    }
    Map<String, Summary> seen = new HashMap<>();
    for (InstanceGroupManager g : listed) {
      if (g.getName().startsWith("dc-")) {
        String scope = g.hasRegion() ? "regions/" + GceNames.lastSegment(g.getRegion())
            : "zones/" + GceNames.lastSegment(g.getZone());
        seen.put(scope + "/" + g.getName(), summary(g, prev == null ? null : prev.groups().get(scope + "/" + g.getName()), at));
      }
    }
    if (!full) {
      // a group not in motion now is stable; one that was in motion until now settled just now
      prev.groups().forEach((k, was) -> seen.computeIfAbsent(k, x -> was.stable()
          ? new Summary(true, at, was.changedAt(), was.fingerprint())
          : new Summary(true, at, at, null)));
    }
    byProject.put(project, new Snapshot(seen, at, full ? 0 : prev.sinceFull() + 1));
  }

  /**
   * A listed group: unchanged since before if it was and is stable with the same fingerprint —
   * or, when it settled since the last full listing (its fingerprint not known yet), if it was
   * and is stable: every census since saw it so.
   */
  private static Summary summary(InstanceGroupManager g, Summary was, Instant at) {
    boolean stable = g.getStatus().getIsStable();
    boolean same = was != null && was.stable() && stable
        && (was.fingerprint() == null || was.fingerprint().equals(g.getFingerprint()));
    return new Summary(stable, at, same ? was.changedAt() : at, g.getFingerprint());
  }

  private static String key(GceLocation at, String group) {
    return (at.regional() ? "regions/" + at.region() : "zones/" + at.zone()) + "/" + group;
  }
}
