package io.dustcloud.provider.gce;

import com.google.cloud.compute.v1.InstanceGroupManager;
import java.util.Optional;

/**
 * What to do to bring a group to its desired shape: create it, or patch its versions and/or
 * resize it, in an order that never asks GCE for fixed sizes above the group's size (grow:
 * resize first; shrink: patch first). Nothing to do is a plan too.
 */
public record GroupPlan(boolean create, boolean patch, boolean resize, boolean resizeFirst) {

  public static GroupPlan of(Optional<InstanceGroupManager> observed, GroupShape desired) {
    if (observed.isEmpty()) {
      return new GroupPlan(true, false, false, false);
    }
    InstanceGroupManager group = observed.get();
    GroupShape current = GroupShape.observed(group);
    boolean patch = !current.versions().equals(desired.versions()) || !UpdatePolicies.isOurs(group.getUpdatePolicy());
    boolean resize = current.targetSize() != desired.targetSize();
    return new GroupPlan(false, patch, resize, desired.targetSize() > current.targetSize());
  }

  public boolean nothing() {
    return !create && !patch && !resize;
  }
}
