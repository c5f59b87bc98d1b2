package io.dustcloud.provider.gce;

import com.google.cloud.compute.v1.InstanceGroupManager;
import io.dustcloud.core.Reason;
import io.dustcloud.provider.DesiredFleet;
import io.dustcloud.provider.FleetObservation;
import io.dustcloud.provider.InstanceState;
import io.dustcloud.provider.InstanceView;
import io.dustcloud.provider.ProviderException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The managed instance group of a fleet: creating, patching and resizing it as its {@link
 * GroupPlan} says, rebalancing instances between revisions and recreating instances. Called
 * by {@link GceProvider} under the fleet's lock.
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
   * A VM whose unikernel exited stays TERMINATED (observed FAILED): the supervisor's repair loop
   * recreates it on its crash-loop backoff, not the group on its own at once.
   */
  private static final com.google.cloud.compute.v1.InstanceGroupManagerInstanceLifecyclePolicy NO_REPAIR =
      com.google.cloud.compute.v1.InstanceGroupManagerInstanceLifecyclePolicy.newBuilder()
          .setDefaultActionOnFailure("DO_NOTHING").build();

  /** Creates, patches or resizes the group as its plan says; whether anything was called. */
  boolean shapeGroup(GceFleet f, Optional<InstanceGroupManager> observed, GroupShape shape) {
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
          .setInstanceLifecyclePolicy(NO_REPAIR)
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
          // groups created before the policy existed get it with their next change
          .setInstanceLifecyclePolicy(NO_REPAIR)
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
  boolean rebalance(GceFleet f, DesiredFleet desired, FleetObservation observed) {
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
