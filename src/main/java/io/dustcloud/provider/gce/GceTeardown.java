package io.dustcloud.provider.gce;

import com.google.cloud.compute.v1.InstanceGroupManager;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What deleting costs on GCE, in the order GCE accepts it: a resource is deleted only once
 * nothing names it any more (GCE refuses {@code resourceInUseByAnotherResource} otherwise).
 * Called under the fleet's lock by {@link GceProvider}.
 */
final class GceTeardown {
  private static final Logger log = LoggerFactory.getLogger(GceTeardown.class);

  private final ComputeApi api;
  private final GceCalls calls;
  private final GceRevisions revisions;
  private final GceTraffic traffic;

  GceTeardown(ComputeApi api, GceCalls calls, GceRevisions revisions, GceTraffic traffic) {
    this.api = api;
    this.calls = calls;
    this.revisions = revisions;
    this.traffic = traffic;
  }

  /**
   * The whole fleet: load balancer and firewall rules, group, then every template and image
   * labelled with the fleet (listed too, so those a crashed operator left are not leaked).
   */
  void fleet(GceFleet f) {
    GceLocation at = f.location;
    String group = GceNames.group(f.id);
    // the forwarding rule names the backend service, which names the group; autohealing names the check
    traffic.deleteBeforeGroup(f);
    calls.mutate(f.id, "instanceGroupManagers.delete " + at + "/" + group, null, id -> api.deleteGroup(at, group, id));
    traffic.deleteAfterGroup(f);
    Set<String> templates = new LinkedHashSet<>(f.templates.keySet());
    calls.read(f.id, "instanceTemplates.list", () -> api.listTemplates(at.project(),
        GceLabels.fleetFilter("properties.", f.id))).forEach(t -> templates.add(t.getName()));
    for (String t : templates) {
      revisions.deleteTemplate(f, t);
    }
    Set<String> images = new LinkedHashSet<>(templates);
    calls.read(f.id, "images.list", () -> api.listImages(at.project(), GceLabels.fleetFilter("", f.id)))
        .forEach(i -> images.add(i.getName()));
    for (String i : images) {
      calls.mutate(f.id, "images.delete " + i, null, id -> api.deleteImage(at.project(), i, id));
    }
    log.info("fleet {}: deleted its load balancer, firewall rules, health check, group {} and {} template(s) in {}",
        f.id, group, templates.size(), at);
  }

  /**
   * One revision's template and image, unless the group still runs it (then nothing, and false:
   * asked again at the next retention pass).
   */
  boolean revision(GceFleet f, String revision) {
    GceLocation at = f.location;
    String template = GceNames.template(f.id, revision);
    Optional<InstanceGroupManager> group = calls.read(f.id, "instanceGroupManagers.get",
        () -> api.getGroup(at, GceNames.group(f.id)));
    if (group.map(g -> GroupShape.observed(g).templates().contains(template)).orElse(false)) {
      return false;
    }
    if (!revisions.deleteTemplate(f, template)) {
      return false;
    }
    String image = GceNames.image(f.id, revision);
    calls.mutate(f.id, "images.delete " + image, null, id -> api.deleteImage(at.project(), image, id));
    return true;
  }
}
