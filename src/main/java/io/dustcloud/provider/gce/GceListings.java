package io.dustcloud.provider.gce;

import com.google.cloud.compute.v1.ManagedInstance;
import io.dustcloud.provider.FleetObservation;
import io.dustcloud.provider.InstanceView;
import io.dustcloud.provider.RevisionImage;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** A fleet's instances as GCE lists them, mapped to the SPI's view. Called under the fleet's lock. */
final class GceListings {
  private final ComputeApi api;
  private final GceCalls calls;
  private final Clock clock;

  GceListings(ComputeApi api, GceCalls calls, Clock clock) {
    this.api = api;
    this.calls = calls;
    this.clock = clock;
  }

  /**
   * One listManagedInstances, mapped to the SPI's view and kept for {@code observeInterval}.
   * Instances are reached at their internal address (no DNS in the path), which the group's
   * listing lacks: one {@code instances.list} (aggregated for a regional group) filtered by the
   * fleet's labels fills in the VMs not seen before, so a fleet whose membership did not change
   * costs no such read. An instance whose address is not known yet is starting.
   */
  FleetObservation list(GceFleet f) {
    GceLocation at = f.location;
    List<ManagedInstance> managed = calls.read(f.id, "instanceGroupManagers.listManagedInstances",
        () -> api.listManagedInstances(at, GceNames.group(f.id)));
    Set<Long> ids = new java.util.HashSet<>();
    boolean unknown = false;
    for (ManagedInstance m : managed) {
      if (!InstanceViews.leaving(m)) {
        ids.add(m.getId());
        unknown |= m.getId() != 0 && !f.ips.containsKey(m.getId());
      }
    }
    f.ips.keySet().retainAll(ids);
    if (unknown) {
      for (com.google.cloud.compute.v1.Instance vm : calls.read(f.id, "instances.list",
          () -> api.listInstances(at, GceLabels.fleetFilter("", f.id)))) {
        if (ids.contains(vm.getId()) && vm.getNetworkInterfacesCount() > 0
            && !vm.getNetworkInterfaces(0).getNetworkIP().isEmpty()) {
          f.ips.put(vm.getId(), vm.getNetworkInterfaces(0).getNetworkIP());
        }
      }
    }
    Instant now = clock.instant();
    List<InstanceView> views = new ArrayList<>();
    List<io.dustcloud.provider.CreationProblem> problems = new ArrayList<>();
    Map<String, String> urls = new HashMap<>();
    f.actions.clear();
    for (ManagedInstance m : managed) {
      if (InstanceViews.leaving(m)) {
        continue;
      }
      if (InstanceViews.notCreated(m)) {
        // GCE could not create this VM (quota, stockout, permission) and keeps trying: not an
        // instance that boots (its startup deadline would call it hung), a problem to report
        m.getLastAttempt().getErrors().getErrorsList().forEach(e ->
            problems.add(new io.dustcloud.provider.CreationProblem(e.getCode(), m.getName(), e.getMessage())));
        continue;
      }
      GceFleet.TemplateInfo info = templateInfo(f, GceNames.lastSegment(m.getVersion().getInstanceTemplate()));
      Instant seen = f.firstSeen.computeIfAbsent(m.getName(), n -> now);
      urls.put(m.getName(), m.getInstance());
      f.actions.put(m.getName(), m.getCurrentAction());
      String ip = f.ips.get(m.getId());
      views.add(ip == null
          ? new InstanceView(m.getName(), info.revision(), "", InstanceViews.withoutAddress(m), seen)
          : new InstanceView(m.getName(), info.revision(), ip + ":" + info.port(), InstanceViews.state(m), seen));
    }
    f.instanceUrls.clear();
    f.instanceUrls.putAll(urls);
    f.firstSeen.keySet().retainAll(urls.keySet());
    views.sort(Comparator.comparing(InstanceView::createdAt).thenComparing(InstanceView::id));
    GroupErrors.listed(f.errors, managed, f.group, !problems.isEmpty(), now);
    FleetObservation observation = new FleetObservation(f.id, views, Optional.empty(), Set.of(), problems);
    boolean atRest = problems.isEmpty()
        && managed.stream().allMatch(m -> m.getCurrentAction().equals("NONE") || m.getCurrentAction().isEmpty());
    f.listing = new GceFleet.Listing(observation, now, atRest);
    return observation;
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
        .orElse(new GceFleet.TemplateInfo(template, RevisionImage.DEFAULT_PORT));
    f.templates.put(template, info);
    return info;
  }
}
