package io.dustcloud.provider.gce;

import io.dustcloud.core.Reason;
import com.google.cloud.compute.v1.InstanceGroupManager;
import io.dustcloud.provider.DesiredFleet;
import io.dustcloud.provider.FleetId;
import io.dustcloud.provider.FleetObservation;
import io.dustcloud.provider.FleetProvider;
import io.dustcloud.provider.ProviderException;
import io.dustcloud.provider.ProviderSettings;
import io.dustcloud.provider.RevisionImage;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs fleets on Google Compute Engine: per revision one image (registered from the revision's
 * raw-disk tarball) and one instance template; per fleet one managed instance group, zonal or
 * regional, whose versions carry the split between revisions and whose size is the total.
 *
 * <p>Every realize reads first and calls only what differs, so a fleet at rest costs reads
 * only. A new fleet costs five mutating calls (image, template, group, health check, firewall
 * rule), eight with a load balancer. Names are deterministic ({@link GceNames}), so a restarted
 * operator adopts what exists.
 */
public final class GceProvider implements FleetProvider {
  private static final Logger log = LoggerFactory.getLogger(GceProvider.class);

  private final ComputeApi api;
  private final GceCalls calls;
  private final GceConfig config;
  private final GceGroups groups;
  private final GceRevisions revisions;
  private final GceTraffic traffic;
  private final Rotation rotation;
  private final GceListings listings;
  private final GroupCensus census;
  private final GroupErrors groupErrors;
  private final GceTeardown teardown;
  private final Clock clock;
  private final Map<String, GceFleet> fleets = new ConcurrentHashMap<>();
  /** Background listings (see {@link #observe}); their calls still go through the fair budget. */
  private final java.util.concurrent.ExecutorService refresher = java.util.concurrent.Executors.newFixedThreadPool(
      REFRESH_THREADS, r -> {
        Thread t = new Thread(r, "gce-observe");
        t.setDaemon(true);
        return t;
      });
  private static final int REFRESH_THREADS = 8;

  public GceProvider(ComputeApi api, GceCalls calls, GceConfig config, Clock clock) {
    this.api = api;
    this.calls = calls;
    this.config = config;
    this.clock = clock;
    this.groups = new GceGroups(api, calls);
    this.revisions = new GceRevisions(api, calls, new ArtifactDigests(config.storageEndpoint(),
        config.credentials() != null ? config.credentials()
            : com.google.api.gax.core.GoogleCredentialsProvider.newBuilder()
                .setScopesToApply(java.util.List.of("https://www.googleapis.com/auth/devstorage.read_only")).build()));
    this.traffic = new GceTraffic(api.traffic(), calls);
    this.rotation = new Rotation(traffic, clock, config.observeInterval(), refresher);
    this.census = new GroupCensus(api, calls, clock, config.observeInterval(), refresher);
    this.listings = new GceListings(api, calls, clock);
    this.groupErrors = new GroupErrors(api, calls, clock, refresher, config.observeInterval());
    this.teardown = new GceTeardown(api, calls, revisions, traffic);
  }

  /** The project-wide census of groups (package-private: tests wait for its background reads). */
  GroupCensus census() {
    return census;
  }

  /** The provider over Google's client, as configured. */
  public static GceProvider create(GceConfig config, Clock clock) {
    ClientComputeApi api = new ClientComputeApi(config.endpoint(), config.credentials());
    FairRateLimiter budget = new FairRateLimiter(config.callsPerMinute());
    budget.settleAgainst(api::requests);
    GceCalls calls = new GceCalls(budget, config.backoff(), d -> Thread.sleep(d.toMillis()));
    return new GceProvider(api, calls, config, clock);
  }

  @Override
  public String name() {
    return "gce";
  }

  @Override
  public String unsupportedReason(RevisionImage image) {
    if (!image.format().equals("virtio")) {
      return "GCE boots virtio images only; revision " + image.revision() + " is '" + image.format() + "'";
    }
    try {
      GceLocation.of(image.settings());
    } catch (ProviderException e) {
      return e.getMessage();
    }
    return null;
  }

  @Override
  public void locate(FleetId fleet, ProviderSettings settings) {
    GceLocation at = GceLocation.of(settings);
    locked(fleet, f -> {
      f.location = at;
      return null;
    });
  }

  /**
   * The last listing while it is younger than {@code observeInterval}. An older one is still
   * served, for one more interval, while a refresh runs in the background: the supervisor
   * observes every fleet several times a second and must never wait for Compute (a call takes
   * tens of milliseconds, and seconds when the project's call budget is spent). Only a fleet
   * nobody observed for two intervals (or with {@code observeInterval} zero) is listed while
   * the caller waits. A refresh already queued is never queued twice, so a saturated budget
   * makes observations older instead of piling up calls.
   */
  @Override
  public FleetObservation observe(FleetId fleet) {
    GceFleet f = fleets.computeIfAbsent(fleet.key(), k -> new GceFleet(fleet));
    GceFleet.Listing last = f.listing;
    if (last != null) {
      if (fresh(last) || f.refreshing.get()) {
        return served(f, last.observation());
      }
      if (confirmed(f, last)) {
        return served(f, last.observation());
      }
      Duration age = Duration.between(last.at(), clock.instant());
      if (age.compareTo(config.observeInterval().multipliedBy(2)) < 0 && f.refreshing.compareAndSet(false, true)) {
        refresher.execute(() -> refresh(f));
        return served(f, last.observation());
      }
    }
    return served(f, locked(fleet, g -> {
      if (g.location == null) {
        return FleetObservation.empty(fleet);
      }
      GceFleet.Listing now = g.listing;
      return now != null && fresh(now) ? now.observation() : list(g);
    }));
  }

  /**
   * The listing with what the load balancer adds: the fleet's endpoint, and the instances it
   * does not send traffic to (not yet HEALTHY in its own check), which therefore do not count
   * as serving. Without a load balancer, none.
   */
  private FleetObservation served(GceFleet f, FleetObservation o) {
    o = groupErrors.served(f, o); // what the group's errors explain (instances GCE cannot create)
    return rotation.served(f, o);
  }

  /**
   * No: the load balancer's backend is the whole group, and sends to every instance its own
   * check passes. A previous revision kept warm would go on serving, so none is kept.
   */
  @Override
  public boolean routesOnlyToNamedInstances() {
    return false;
  }

  /** Which instances the probes pass: those that serve nobody are the first to leave on scale-in. */
  @Override
  public void updateReady(FleetId fleet, Set<String> readyInstanceIds) {
    GceFleet f = fleets.get(fleet.key());
    if (f != null) {
      f.ready = Set.copyOf(readyInstanceIds);
    }
  }

  private void refresh(GceFleet f) {
    // this fleet's own lock, not locked(): a fleet deleted meanwhile must not come back empty
    f.lock.lock();
    try {
      if (f.location != null && fleets.get(f.id.key()) == f && (f.listing == null || !fresh(f.listing))) {
        list(f);
      }
    } catch (RuntimeException e) {
      // the next observation past the interval tries again; until then the last listing serves
      log.debug("fleet {}: background listing failed: {}", f.id, e.getMessage());
    } finally {
      f.lock.unlock();
      f.refreshing.set(false);
    }
  }

  @Override
  public FleetObservation realize(DesiredFleet desired) {
    FleetId fleet = desired.fleet();
    GceLocation at = DesiredShapes.location(desired);
    return locked(fleet, f -> {
      f.location = at;
      TrafficModel model = TrafficModel.of(fleet, at, DesiredShapes.fleetSettings(desired), desired.service(), config.operatorRanges());
      boolean mutated = !traffic.beforeGroup(f, model);
      Optional<InstanceGroupManager> group = group(f);
      GroupShape shape = GroupShape.desired(desired, rev -> GceNames.template(fleet, rev));
      List<String> inGroup = group.map(g -> GroupShape.observed(g).templates()).orElse(List.of());
      for (String rev : desired.revisions().keySet()) {
        String template = GceNames.template(fleet, rev);
        RevisionImage image = desired.revisions().get(rev).image();
        f.templates.putIfAbsent(template, new GceFleet.TemplateInfo(rev, image.port()));
        // a template the group already runs exists (GCE refuses to delete it); others are made or adopted
        if (shape.templates().contains(template) && !inGroup.contains(template) && !f.ensured.contains(template)) {
          revisions.ensureRevision(f, image);
          mutated = true;
        }
      }
      try {
        if (groups.shapeGroup(f, group, shape, GroupExtras.desired(model, at))) {
          f.group = null;
        }
      } catch (ProviderException e) {
        f.group = null;
        throw groups.missingTemplate(f, shape, e);
      } catch (RuntimeException e) {
        f.group = null;
        throw e;
      }
      traffic.afterGroup(f, model);
      if (mutated || f.group == null) {
        f.listing = null;
      }
      return served(f, settleSize(f, desired, shape));
    });
  }

  /**
   * Removes what each revision has too many of ({@link GceGroups#removeSurplus}, on a fresh
   * listing: a stale one could remove an instance twice over), then sets the group's size to
   * the desired total, which creates the missing instances from the versions short of their
   * share. Returns the observation after.
   */
  private FleetObservation settleSize(GceFleet f, DesiredFleet desired, GroupShape shape) {
    boolean listedNow = f.listing == null || !(fresh(f.listing) || confirmed(f, f.listing));
    FleetObservation observed = listedNow ? list(f) : f.listing.observation();
    Optional<InstanceGroupManager> group = group(f);
    if (group.isEmpty()) {
      return observed;
    }
    boolean changed = false;
    if (DesiredShapes.hasSurplus(desired, observed)) {
      if (!listedNow) {
        observed = list(f);
      }
      changed = groups.removeSurplus(f, desired, observed, group.get().getTargetSize(), shape);
      if (changed) {
        f.group = null;
        group = group(f);
      }
    }
    if (group.isPresent() && groups.resizeTo(f, group.get(), desired.total())) {
      f.group = null;
      changed = true;
    }
    return changed ? list(f) : observed;
  }

  @Override
  public void replace(FleetId fleet, Collection<String> instanceIds) {
    locked(fleet, f -> {
      if (f.location == null) {
        return null;
      }
      // an instance GCE is already recreating (autohealing) is not recreated a second time
      List<String> urls = instanceIds.stream().distinct()
          .filter(id -> !"RECREATING".equals(f.actions.get(id)))
          .map(f.instanceUrls::get).filter(u -> u != null).sorted().toList();
      if (!urls.isEmpty()) {
        f.listing = null;
        groups.recreate(f, urls);
      }
      return null;
    });
  }

  /** The end of the instance's serial console (what the unikernel printed before it failed). */
  @Override
  public List<String> consoleTail(FleetId fleet, String instanceId, int lines, int bytes) {
    GceFleet f = fleets.get(fleet.key());
    String url = f == null ? null : locked(fleet, g -> g.instanceUrls.get(instanceId));
    if (url == null) {
      return List.of();
    }
    String output = calls.read(fleet, "instances.getSerialPortOutput " + url, () -> api.serialPortOutput(url, bytes));
    return io.dustcloud.provider.ConsoleTail.of(output.getBytes(java.nio.charset.StandardCharsets.UTF_8), lines, bytes);
  }

  @Override
  public void delete(FleetId fleet) {
    locked(fleet, f -> {
      if (f.location == null) {
        throw new ProviderException(Reason.GCE_FLEET_NOT_LOCATED,
            "cannot delete " + fleet + ": its project and zone are unknown (call locate first)", true);
      }
      teardown.fleet(f);
      fleets.remove(fleet.key());
      return null;
    });
  }

  @Override
  public void release(FleetId fleet) {
    fleets.remove(fleet.key());
    log.info("released fleet {}; its GCE group, templates and images stay", fleet);
  }

  /**
   * Deletes the image and template of a revision no longer retained, unless the fleet's group
   * still runs it. Returns whether they are gone.
   */
  @Override
  public boolean deleteRevision(FleetId fleet, String revision) {
    return locked(fleet, f -> {
      if (f.location == null) {
        return false;
      }
      return teardown.revision(f, revision);
    });
  }

  @Override
  public void close() {
    refresher.shutdownNow();
    try {
      api.close();
    } catch (Exception e) {
      log.debug("closing the Compute client: {}", e.toString());
    }
  }

  // ---- reads ----

  private FleetObservation list(GceFleet f) {
    return listings.list(f);
  }

  /**
   * The group as read within {@code observeInterval}, else read now. Reusing it keeps a fleet
   * that is reconciled every few seconds (while it rolls out or boots) from costing a read each
   * time; anything we change forgets it, so our own changes are always read back.
   */
  private Optional<InstanceGroupManager> group(GceFleet f) {
    if (f.group != null && Duration.between(f.groupReadAt, clock.instant()).compareTo(config.observeInterval()) < 0) {
      return f.group;
    }
    // the census saw the group stable and unchanged since it was read: a resync costs no read
    Optional<GroupCensus.Summary> seen = f.group == null || f.group.isEmpty() ? Optional.empty() : census.of(f.location, f.id);
    if (seen.isPresent() && seen.get().confirms(f.groupReadAt)) {
      f.groupReadAt = seen.get().seenAt();
      return f.group;
    }
    GceLocation at = f.location;
    Optional<InstanceGroupManager> read = calls.read(f.id, "instanceGroupManagers.get",
        () -> api.getGroup(at, GceNames.group(f.id)));
    f.group = read;
    f.groupReadAt = clock.instant();
    return read;
  }

  /**
   * Whether the project's census confirms that the group did not change since {@code last} was
   * listed (then it is restamped with the census's time and needs no read of its own).
   */
  private boolean confirmed(GceFleet f, GceFleet.Listing last) {
    GceLocation at = f.location;
    Optional<GroupCensus.Summary> seen = at == null ? Optional.empty() : census.of(at, f.id);
    if (seen.isPresent() && last.confirmedBy(seen.get())) {
      f.listing = last.restamped(seen.get().seenAt());
      return true;
    }
    return false;
  }

  private boolean fresh(GceFleet.Listing listing) {
    return Duration.between(listing.at(), clock.instant()).compareTo(config.observeInterval()) < 0;
  }

  private <T> T locked(FleetId fleet, java.util.function.Function<GceFleet, T> action) {
    GceFleet f = fleets.computeIfAbsent(fleet.key(), k -> new GceFleet(fleet));
    f.lock.lock();
    try {
      return action.apply(f);
    } finally {
      f.lock.unlock();
    }
  }
}
