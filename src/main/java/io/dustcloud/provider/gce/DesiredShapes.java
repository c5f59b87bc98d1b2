package io.dustcloud.provider.gce;

import io.dustcloud.core.Reason;
import io.dustcloud.provider.DesiredFleet;
import io.dustcloud.provider.FleetObservation;
import io.dustcloud.provider.InstanceView;
import io.dustcloud.provider.ProviderException;

/** What a desired fleet says about its GCE resources: where it lives, its own settings, what must leave. Pure. */
final class DesiredShapes {
  private DesiredShapes() {}

  static boolean hasSurplus(DesiredFleet desired, FleetObservation observed) {
    for (InstanceView i : observed.instances()) {
      DesiredFleet.Target t = desired.revisions().get(i.revision());
      if (t == null || observed.count(i.revision()) > t.replicas()) {
        return true;
      }
    }
    return false;
  }

  /** The fleet's own settings (its load balancer) from its current spec, else its newest revision's. */
  static GceSettings fleetSettings(DesiredFleet desired) {
    if (desired.service().settings() instanceof GceSettings s && s.project() != null) {
      return s;
    }
    GceSettings newest = null;
    for (DesiredFleet.Target t : desired.revisions().values()) {
      GceSettings s = GceSettings.of(t.image().settings());
      if (s.project() != null) {
        newest = s;
      }
    }
    return newest;
  }

  /** The fleet's location, from its revisions' settings (the last revision that has them: the newest). */
  static GceLocation location(DesiredFleet desired) {
    GceLocation at = null;
    for (DesiredFleet.Target t : desired.revisions().values()) {
      if (GceSettings.of(t.image().settings()).project() != null) {
        at = GceLocation.of(t.image().settings());
      }
    }
    if (at == null) {
      throw new ProviderException(Reason.INVALID_GCE_SETTINGS, "no revision of " + desired.fleet() + " names a GCE project", false);
    }
    return at;
  }
}
