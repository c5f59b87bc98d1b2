package io.dustcloud.provider.gce;

import io.dustcloud.provider.DesiredFleet;
import io.dustcloud.provider.InstanceState;
import io.dustcloud.provider.InstanceView;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which instances leave the group: per revision, those beyond its desired count (scale-in, and
 * the outgoing side of a rollout step). They are removed with {@code deleteInstances}, which
 * drains them through the load balancer, rather than left to a resize (GCE would pick the
 * victims, ready ones included) or recreated by name (which waits for the guest to stop).
 * Pure.
 *
 * <p>Order: instances that serve nobody go first (failed, still starting, not ready), then the
 * youngest (fewest open connections, least warmed). At most {@code room} leave, so the group
 * never shrinks below the fixed sizes its versions name (GCE refuses a target size under them).
 */
public final class Victims {
  private Victims() {}

  public static List<InstanceView> choose(DesiredFleet desired, List<InstanceView> instances, Set<String> ready,
      int room) {
    Map<String, Integer> surplus = new HashMap<>();
    for (InstanceView i : instances) {
      surplus.merge(i.revision(), 1, Integer::sum);
    }
    desired.revisions().forEach((rev, t) -> surplus.merge(rev, -t.replicas(), Integer::sum));
    List<InstanceView> candidates = new ArrayList<>(instances);
    candidates.sort(Comparator.comparingInt((InstanceView i) -> serving(i, ready) ? 1 : 0)
        .thenComparing(InstanceView::createdAt, Comparator.reverseOrder())
        .thenComparing(InstanceView::id, Comparator.reverseOrder()));
    List<InstanceView> out = new ArrayList<>();
    for (InstanceView i : candidates) {
      if (out.size() >= room) {
        break;
      }
      if (surplus.getOrDefault(i.revision(), 0) > 0) {
        surplus.merge(i.revision(), -1, Integer::sum);
        out.add(i);
      }
    }
    return out;
  }

  private static boolean serving(InstanceView i, Set<String> ready) {
    return i.state() == InstanceState.RUNNING && ready.contains(i.id());
  }
}
