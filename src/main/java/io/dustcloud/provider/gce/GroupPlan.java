package io.dustcloud.provider.gce;

import com.google.cloud.compute.v1.InstanceGroupManager;
import java.util.Optional;

/**
 * What to do to bring a group to its desired shape: create it, or patch its versions and/or
 * resize it. Versions go first whenever their fixed sizes fit the group's current size: a resize
 * then creates (or removes) instances of the versions the new split wants, e.g. the surge
 * instance of a rollout is created from the new template at once, not from the old one to be
 * recreated later. Only when the new fixed sizes exceed the current size (GCE refuses that) does
 * the resize go first. Nothing to do is a plan too.
 */
public record GroupPlan(boolean create, boolean patch, boolean resize, boolean resizeFirst) {

  /** The plan, where a difference of {@link GroupExtras} (named port, autohealing, failure and update policies) is a patch too. */
  public static GroupPlan of(Optional<InstanceGroupManager> observed, GroupShape desired, GroupExtras extras) {
    GroupPlan plan = of(observed, desired);
    if (observed.isPresent() && !plan.patch() && !GroupExtras.observed(observed.get()).equals(extras)) {
      return new GroupPlan(false, true, plan.resize(), plan.resizeFirst());
    }
    return plan;
  }

  public static GroupPlan of(Optional<InstanceGroupManager> observed, GroupShape desired) {
    if (observed.isEmpty()) {
      return new GroupPlan(true, false, false, false);
    }
    InstanceGroupManager group = observed.get();
    GroupShape current = GroupShape.observed(group);
    boolean patch = !current.versions().equals(desired.versions()) || !UpdatePolicies.isOurs(group.getUpdatePolicy());
    boolean resize = current.targetSize() != desired.targetSize();
    return new GroupPlan(false, patch, resize, desired.fixedTotal() > current.targetSize());
  }

  public boolean nothing() {
    return !create && !patch && !resize;
  }
}
