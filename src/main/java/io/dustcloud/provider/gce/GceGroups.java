package io.dustcloud.provider.gce;

import com.google.cloud.compute.v1.InstanceGroupManager;
import io.dustcloud.core.Reason;
import io.dustcloud.provider.DesiredFleet;
import io.dustcloud.provider.FleetObservation;
import io.dustcloud.provider.InstanceView;
import io.dustcloud.provider.ProviderException;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The managed instance group of a fleet: creating, patching and growing it as its {@link
 * GroupPlan} says, removing the instances a revision has too many of, and recreating failed
 * instances. Called by {@link GceProvider} under the fleet's lock.
 */
final class GceGroups {
  private static final Logger log = LoggerFactory.getLogger(GceGroups.class);

  private final ComputeApi api;
  private final GceCalls calls;

  GceGroups(ComputeApi api, GceCalls calls) {
    this.api = api;
    this.calls = calls;
  }

  /**
   * A group change GCE refused: if a template it names is missing although this operator
   * ensured it, the insert was answered from GCE's requestId memory (the same insert made by an
   * earlier incarnation of the fleet, before a restart, whose template was deleted since). The
   * intent is marked completed, so the next ensure is a new request: retry, do not stall.
   */
  ProviderException missingTemplate(GceFleet f, GroupShape shape, ProviderException refused) {
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

  /**
   * Creates the group, or patches its versions and extras, and grows it, as its plan says;
   * whether anything was called. A group never shrinks here: instances leave through {@link
   * #removeSurplus}, which chooses them, and {@link #resizeTo} lowers a size no instance fills.
   */
  boolean shapeGroup(GceFleet f, Optional<InstanceGroupManager> observed, GroupShape shape, GroupExtras extras) {
    GroupPlan plan = GroupPlan.of(observed, shape, extras);
    GceLocation at = f.location;
    String name = GceNames.group(f.id);
    if (plan.create()) {
      InstanceGroupManager group = extras.applyTo(InstanceGroupManager.newBuilder(), at.project(), at.regionName())
          .setName(name)
          .setBaseInstanceName(name.length() > 54 ? name.substring(0, 54).replaceAll("-+$", "") : name)
          .setDescription("dustcloud fleet " + f.id)
          .addAllVersions(shape.apiVersions(at.project()))
          .setTargetSize(shape.targetSize())
          .build();
      calls.mutate(f.id, "instanceGroupManagers.insert " + at + "/" + name, group, id -> api.insertGroup(at, group, id));
      return true;
    }
    if (!plan.patch() && !(plan.resize() && shape.targetSize() > observed.get().getTargetSize())) {
      return false;
    }
    String fingerprint = observed.get().getFingerprint();
    boolean grow = plan.resize() && shape.targetSize() > observed.get().getTargetSize();
    if (grow && plan.resizeFirst()) {
      resize(f, name, shape.targetSize(), fingerprint);
    }
    if (plan.patch()) {
      // the fingerprint makes the intent "from this state to that one": the same patch later is a new request
      InstanceGroupManager patch = extras.applyTo(InstanceGroupManager.newBuilder(), at.project(), at.regionName())
          .addAllVersions(shape.apiVersions(at.project()))
          .build();
      InstanceGroupManager intent = patch.toBuilder().setFingerprint(fingerprint).build();
      vanishedIfNotFound(f, calls.mutate(f.id, "instanceGroupManagers.patch " + at + "/" + name, intent,
          id -> api.patchGroup(at, name, patch, id)));
    }
    if (grow && !plan.resizeFirst()) {
      resize(f, name, shape.targetSize(), fingerprint);
    }
    log.info("fleet {}: group {} {}{}to {}", f.id, name, plan.patch() ? "patched " : "", grow ? "grown " : "", shape);
    return true;
  }

  /**
   * Removes the instances beyond each revision's desired count with {@code deleteInstances}
   * (they drain through the load balancer first), at most down to the versions' fixed sizes;
   * whether anything was called. Chosen by {@link Victims}.
   */
  boolean removeSurplus(GceFleet f, DesiredFleet desired, FleetObservation observed, int targetSize,
      GroupShape shape) {
    List<InstanceView> victims = Victims.choose(desired, observed.instances(), f.ready,
        Math.max(0, targetSize - shape.fixedTotal()));
    List<String> urls = victims.stream().map(i -> f.instanceUrls.get(i.id())).filter(u -> u != null).sorted().toList();
    if (urls.isEmpty()) {
      return false;
    }
    GceLocation at = f.location;
    String name = GceNames.group(f.id);
    InstanceGroupManager intent = InstanceGroupManager.newBuilder().setDescription(String.join(",", urls)).build();
    vanishedIfNotFound(f, calls.mutate(f.id, "instanceGroupManagers.deleteInstances " + at + "/" + name, intent,
        id -> api.deleteInstances(at, name, urls, id)));
    log.info("fleet {}: removing {} instance(s): {}", f.id, urls.size(),
        victims.stream().map(InstanceView::id).toList());
    return true;
  }

  /** Sets the group's size when it differs (growing after removals, or dropping a size no instance fills). */
  boolean resizeTo(GceFleet f, InstanceGroupManager group, int size) {
    if (group.getTargetSize() == size) {
      return false;
    }
    resize(f, GceNames.group(f.id), size, group.getFingerprint());
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

  void recreate(GceFleet f, List<String> urls) {
    f.group = null;
    GceLocation at = f.location;
    String name = GceNames.group(f.id);
    InstanceGroupManager intent = InstanceGroupManager.newBuilder().setDescription(String.join(",", urls))
        .setTargetSize(urls.size()).build();
    calls.mutate(f.id, "instanceGroupManagers.recreateInstances " + at + "/" + name, intent,
        id -> api.recreateInstances(at, name, urls, id));
    log.info("fleet {}: recreating {} instance(s)", f.id, urls.size());
  }
}
