package io.dustcloud.provider.gce;

import io.dustcloud.core.Reason;
import com.google.cloud.compute.v1.Image;
import com.google.cloud.compute.v1.InstanceGroupManager;
import com.google.cloud.compute.v1.InstanceTemplate;
import com.google.cloud.compute.v1.ManagedInstance;
import io.dustcloud.provider.DesiredFleet;
import io.dustcloud.provider.FleetId;
import io.dustcloud.provider.FleetObservation;
import io.dustcloud.provider.FleetProvider;
import io.dustcloud.provider.InstanceState;
import io.dustcloud.provider.InstanceView;
import io.dustcloud.provider.ProviderException;
import io.dustcloud.provider.RevisionImage;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
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
 * only. A new fleet costs three mutating calls (image, template, group). Names are
 * deterministic ({@link GceNames}), so a restarted operator adopts what exists.
 */
public final class GceProvider implements FleetProvider {
  private static final Logger log = LoggerFactory.getLogger(GceProvider.class);

  private final ComputeApi api;
  private final GceCalls calls;
  private final GceConfig config;
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
  }

  /** The provider over Google's client, as configured. */
  public static GceProvider create(GceConfig config, Clock clock) {
    ComputeApi api = new ClientComputeApi(config.endpoint(), config.credentials());
    GceCalls calls = new GceCalls(new FairRateLimiter(config.callsPerMinute()), config.backoff(), d -> Thread.sleep(d.toMillis()));
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
      GceLocation.fromSettings(image.settings());
    } catch (ProviderException e) {
      return e.getMessage();
    }
    return null;
  }

  @Override
  public void locate(FleetId fleet, Map<String, String> settings) {
    GceLocation at = GceLocation.fromSettings(settings);
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
        return last.observation();
      }
      Duration age = Duration.between(last.at(), clock.instant());
      if (age.compareTo(config.observeInterval().multipliedBy(2)) < 0 && f.refreshing.compareAndSet(false, true)) {
        refresher.execute(() -> refresh(f));
        return last.observation();
      }
    }
    return locked(fleet, g -> {
      if (g.location == null) {
        return FleetObservation.empty(fleet);
      }
      GceFleet.Listing now = g.listing;
      return now != null && fresh(now) ? now.observation() : list(g);
    });
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
    GceLocation at = location(desired);
    return locked(fleet, f -> {
      f.location = at;
      Optional<InstanceGroupManager> group = group(f);
      GroupShape shape = GroupShape.desired(desired, rev -> GceNames.template(fleet, rev));
      List<String> inGroup = group.map(g -> GroupShape.observed(g).templates()).orElse(List.of());
      boolean mutated = false;
      for (String rev : desired.revisions().keySet()) {
        String template = GceNames.template(fleet, rev);
        RevisionImage image = desired.revisions().get(rev).image();
        f.templates.putIfAbsent(template, new GceFleet.TemplateInfo(rev, image.port()));
        // a template the group already runs exists (GCE refuses to delete it); others are made or adopted
        if (shape.templates().contains(template) && !inGroup.contains(template) && !f.ensured.contains(template)) {
          ensureRevision(f, image);
          mutated = true;
        }
      }
      try {
        mutated |= shapeGroup(f, group, shape);
      } catch (ProviderException e) {
        f.group = null;
        throw missingTemplate(f, shape, e);
      } catch (RuntimeException e) {
        f.group = null;
        throw e;
      }
      if (mutated) {
        f.group = null;
      }
      FleetObservation observed = mutated || f.listing == null || !fresh(f.listing) ? list(f) : f.listing.observation();
      if (rebalance(f, desired, observed)) {
        observed = list(f);
      }
      return observed;
    });
  }

  @Override
  public void replace(FleetId fleet, Collection<String> instanceIds) {
    locked(fleet, f -> {
      if (f.location == null) {
        return null;
      }
      List<String> urls = instanceIds.stream().distinct().map(f.instanceUrls::get).filter(u -> u != null).sorted().toList();
      if (!urls.isEmpty()) {
        f.listing = null;
        recreate(f, urls);
      }
      return null;
    });
  }

  @Override
  public void delete(FleetId fleet) {
    locked(fleet, f -> {
      if (f.location == null) {
        throw new ProviderException(Reason.GCE_FLEET_NOT_LOCATED,
            "cannot delete " + fleet + ": its project and zone are unknown (call locate first)", true);
      }
      GceLocation at = f.location;
      String group = GceNames.group(fleet);
      calls.mutate(fleet, "instanceGroupManagers.delete " + at + "/" + group, null,
          id -> api.deleteGroup(at, group, id));
      Set<String> templates = new LinkedHashSet<>(f.templates.keySet());
      calls.read(fleet, "instanceTemplates.list", () -> api.listTemplates(at.project(),
          GceLabels.fleetFilter("properties.", fleet))).forEach(t -> templates.add(t.getName()));
      for (String t : templates) {
        deleteTemplate(f, t);
      }
      Set<String> images = new LinkedHashSet<>(templates);
      calls.read(fleet, "images.list", () -> api.listImages(at.project(), GceLabels.fleetFilter("", fleet)))
          .forEach(i -> images.add(i.getName()));
      for (String i : images) {
        calls.mutate(fleet, "images.delete " + i, null, id -> api.deleteImage(at.project(), i, id));
      }
      log.info("fleet {}: deleted group {} and {} template(s) in {}", fleet, group, templates.size(), at);
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
      GceLocation at = f.location;
      String template = GceNames.template(fleet, revision);
      Optional<InstanceGroupManager> group = calls.read(fleet, "instanceGroupManagers.get",
          () -> api.getGroup(at, GceNames.group(fleet)));
      if (group.map(g -> GroupShape.observed(g).templates().contains(template)).orElse(false)) {
        return false;
      }
      if (!deleteTemplate(f, template)) {
        return false;
      }
      String image = GceNames.image(fleet, revision);
      calls.mutate(fleet, "images.delete " + image, null, id -> api.deleteImage(at.project(), image, id));
      return true;
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

  // ---- steps ----

  private void ensureRevision(GceFleet f, RevisionImage image) {
    GceLocation at = f.location;
    Image img = GceResources.image(f.id, image);
    calls.mutate(f.id, "images.insert " + img.getName(), img, id -> api.insertImage(at.project(), img, id));
    InstanceTemplate template = GceResources.template(f.id, image, at);
    calls.mutate(f.id, "instanceTemplates.insert " + template.getName(), template,
        id -> api.insertTemplate(at.project(), template, id));
    f.ensured.add(template.getName());
  }

  /**
   * A group change GCE refused: if a template it names is missing although this operator
   * ensured it, the insert was answered from GCE's requestId memory (the same insert made by an
   * earlier incarnation of the fleet, before a restart, whose template was deleted since). The
   * intent is marked completed, so the next ensure is a new request: retry, do not stall.
   */
  private ProviderException missingTemplate(GceFleet f, GroupShape shape, ProviderException refused) {
    if (refused.retryable()) {
      return refused;
    }
    List<String> missing = new java.util.ArrayList<>();
    for (String template : shape.templates()) {
      if (calls.read(f.id, "instanceTemplates.get", () -> api.getTemplate(f.location.project(), template)).isEmpty()) {
        f.ensured.remove(template);
        missing.add(template);
      }
    }
    return missing.isEmpty() ? refused
        : new ProviderException(Reason.GCE_TEMPLATE_MISSING, "instance templates " + missing + " are missing; creating them again ("
            + refused.getMessage() + ")", true, refused);
  }

  /** Creates, patches or resizes the group as its plan says; whether anything was called. */
  private boolean shapeGroup(GceFleet f, Optional<InstanceGroupManager> observed, GroupShape shape) {
    GroupPlan plan = GroupPlan.of(observed, shape);
    if (plan.nothing()) {
      return false;
    }
    GceLocation at = f.location;
    String name = GceNames.group(f.id);
    if (plan.create()) {
      InstanceGroupManager group = InstanceGroupManager.newBuilder()
          .setName(name)
          .setBaseInstanceName(name.length() > 54 ? name.substring(0, 54).replaceAll("-+$", "") : name)
          .setDescription("dustcloud fleet " + f.id)
          .addAllVersions(shape.apiVersions(at.project()))
          .setTargetSize(shape.targetSize())
          .setUpdatePolicy(UpdatePolicies.ours())
          .build();
      calls.mutate(f.id, "instanceGroupManagers.insert " + at + "/" + name, group, id -> api.insertGroup(at, group, id));
      return true;
    }
    String fingerprint = observed.get().getFingerprint();
    if (plan.resize() && plan.resizeFirst()) {
      resize(f, name, shape.targetSize(), fingerprint);
    }
    if (plan.patch()) {
      // the fingerprint makes the intent "from this state to that one": the same patch later is a new request
      InstanceGroupManager patch = InstanceGroupManager.newBuilder()
          .addAllVersions(shape.apiVersions(at.project()))
          .setUpdatePolicy(UpdatePolicies.ours())
          .build();
      InstanceGroupManager intent = patch.toBuilder().setFingerprint(fingerprint).build();
      vanishedIfNotFound(f, calls.mutate(f.id, "instanceGroupManagers.patch " + at + "/" + name, intent,
          id -> api.patchGroup(at, name, patch, id)));
    }
    if (plan.resize() && !plan.resizeFirst()) {
      resize(f, name, shape.targetSize(), fingerprint);
    }
    log.info("fleet {}: group {} {}{}to {}", f.id, name, plan.patch() ? "versions " : "",
        plan.resize() ? "resized " : "", shape);
    return true;
  }

  private void resize(GceFleet f, String name, int size, String fingerprint) {
    GceLocation at = f.location;
    InstanceGroupManager intent = InstanceGroupManager.newBuilder().setTargetSize(size).setFingerprint(fingerprint).build();
    vanishedIfNotFound(f, calls.mutate(f.id, "instanceGroupManagers.resize " + at + "/" + name, intent,
        id -> api.resizeGroup(at, name, size, id)));
  }

  private static void vanishedIfNotFound(GceFleet f, GceCalls.Outcome outcome) {
    if (outcome == GceCalls.Outcome.NOT_FOUND) {
      throw new ProviderException(Reason.GCE_GROUP_VANISHED,
          "the managed instance group of " + f.id + " was deleted while being changed; it is recreated next", true);
    }
  }

  /**
   * Under an OPPORTUNISTIC policy GCE leaves running instances on their version; when a
   * revision has more instances than desired and another fewer, the surplus is recreated and
   * comes back as the wanted version. Not-yet-running instances go first.
   */
  private boolean rebalance(GceFleet f, DesiredFleet desired, FleetObservation observed) {
    if (observed.instances().size() != desired.total()) {
      return false; // GCE is still adding or removing instances
    }
    int deficit = 0;
    for (Map.Entry<String, DesiredFleet.Target> e : desired.revisions().entrySet()) {
      deficit += Math.max(0, e.getValue().replicas() - (int) observed.count(e.getKey()));
    }
    if (deficit == 0) {
      return false;
    }
    Map<String, Integer> surplus = new HashMap<>();
    for (InstanceView i : observed.instances()) {
      surplus.merge(i.revision(), 1, Integer::sum);
    }
    desired.revisions().forEach((rev, t) -> surplus.merge(rev, -t.replicas(), Integer::sum));
    List<InstanceView> candidates = new ArrayList<>(observed.instances());
    candidates.sort(Comparator.comparing((InstanceView i) -> i.state() == InstanceState.RUNNING)
        .thenComparing(InstanceView::id));
    List<String> urls = new ArrayList<>();
    for (InstanceView i : candidates) {
      if (urls.size() < deficit && surplus.getOrDefault(i.revision(), 0) > 0) {
        surplus.merge(i.revision(), -1, Integer::sum);
        urls.add(f.instanceUrls.get(i.id()));
      }
    }
    if (urls.isEmpty()) {
      return false;
    }
    recreate(f, urls);
    return true;
  }

  private void recreate(GceFleet f, List<String> urls) {
    f.group = null;
    GceLocation at = f.location;
    String name = GceNames.group(f.id);
    InstanceGroupManager intent = InstanceGroupManager.newBuilder().setDescription(String.join(",", urls))
        .setTargetSize(urls.size()).build();
    calls.mutate(f.id, "instanceGroupManagers.recreateInstances " + at + "/" + name, intent,
        id -> api.recreateInstances(at, name, urls, id));
    log.info("fleet {}: recreating {} instance(s)", f.id, urls.size());
  }

  /** Whether the template is gone; a template still used by a group is kept. */
  private boolean deleteTemplate(GceFleet f, String template) {
    try {
      calls.mutate(f.id, "instanceTemplates.delete " + template, null,
          id -> api.deleteTemplate(f.location.project(), template, id));
      f.templates.remove(template);
      f.ensured.remove(template);
      return true;
    } catch (ProviderException e) {
      if (e.getCause() != null && GceError.of(e.getCause()).inUse()) {
        return false;
      }
      throw e;
    }
  }

  /** One listManagedInstances, mapped to the SPI's view and kept for {@code observeInterval}. */
  private FleetObservation list(GceFleet f) {
    GceLocation at = f.location;
    List<ManagedInstance> managed = calls.read(f.id, "instanceGroupManagers.listManagedInstances",
        () -> api.listManagedInstances(at, GceNames.group(f.id)));
    Instant now = clock.instant();
    List<InstanceView> views = new ArrayList<>();
    Map<String, String> urls = new HashMap<>();
    for (ManagedInstance m : managed) {
      if (InstanceViews.leaving(m)) {
        continue;
      }
      GceFleet.TemplateInfo info = templateInfo(f, GceNames.lastSegment(m.getVersion().getInstanceTemplate()));
      String zone = InstanceViews.zone(m.getInstance());
      Instant seen = f.firstSeen.computeIfAbsent(m.getName(), n -> now);
      urls.put(m.getName(), m.getInstance());
      views.add(new InstanceView(m.getName(), info.revision(),
          config.addresses().address(at.project(), zone, m.getName(), info.port()), InstanceViews.state(m), seen));
    }
    f.instanceUrls.clear();
    f.instanceUrls.putAll(urls);
    f.firstSeen.keySet().retainAll(urls.keySet());
    views.sort(Comparator.comparing(InstanceView::createdAt).thenComparing(InstanceView::id));
    FleetObservation observation = new FleetObservation(f.id, views, Optional.empty());
    f.listing = new GceFleet.Listing(observation, now);
    return observation;
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
    GceLocation at = f.location;
    Optional<InstanceGroupManager> read = calls.read(f.id, "instanceGroupManagers.get",
        () -> api.getGroup(at, GceNames.group(f.id)));
    f.group = read;
    f.groupReadAt = clock.instant();
    return read;
  }

  /** What a template runs: known from realize, else read once from its labels and metadata. */
  private GceFleet.TemplateInfo templateInfo(GceFleet f, String template) {
    GceFleet.TemplateInfo known = f.templates.get(template);
    if (known != null) {
      return known;
    }
    GceFleet.TemplateInfo info = calls.read(f.id, "instanceTemplates.get",
            () -> api.getTemplate(f.location.project(), template))
        .map(t -> new GceFleet.TemplateInfo(
            GceResources.revisionOf(t).isEmpty() ? template : GceResources.revisionOf(t), GceResources.portOf(t)))
        .orElse(new GceFleet.TemplateInfo(template, 8080));
    f.templates.put(template, info);
    return info;
  }

  private boolean fresh(GceFleet.Listing listing) {
    return Duration.between(listing.at(), clock.instant()).compareTo(config.observeInterval()) < 0;
  }

  /** The fleet's location, from its revisions' settings (the last revision that has them: the newest). */
  private static GceLocation location(DesiredFleet desired) {
    GceLocation at = null;
    for (DesiredFleet.Target t : desired.revisions().values()) {
      if (t.image().settings().containsKey(GceSettings.PROJECT)) {
        at = GceLocation.fromSettings(t.image().settings());
      }
    }
    if (at == null) {
      throw new ProviderException(Reason.INVALID_GCE_SETTINGS, "no revision of " + desired.fleet() + " names a GCE project", false);
    }
    return at;
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
