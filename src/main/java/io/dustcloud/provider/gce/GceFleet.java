package io.dustcloud.provider.gce;

import com.google.cloud.compute.v1.InstanceGroupManager;
import io.dustcloud.provider.FleetId;
import io.dustcloud.provider.FleetObservation;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

/**
 * What the provider remembers of one fleet between calls. All of it can be lost (a restart):
 * the location comes back through {@code locate}/{@code realize}, the rest from GCE.
 */
final class GceFleet {
  /** Revision and port of one instance template (templates are immutable, so this never goes stale). */
  record TemplateInfo(String revision, int port) {}

  final FleetId id;
  final ReentrantLock lock = new ReentrantLock();
  GceLocation location;
  /** Templates (by name) known to exist, with what they run. */
  final Map<String, TemplateInfo> templates = new HashMap<>();
  /** Instance URL by name, from the last listing, for recreateInstances. */
  final Map<String, String> instanceUrls = new HashMap<>();
  /** When each instance was first seen: listManagedInstances carries no creation time. */
  final Map<String, Instant> firstSeen = new HashMap<>();
  /** Templates of revisions whose image and template were made or found by this provider. */
  final Set<String> ensured = new HashSet<>();
  /** The last listing; volatile so {@code observe} can serve it without waiting for the lock. */
  volatile Listing listing;
  /** A refresh of {@link #listing} is queued or running (at most one per fleet). */
  final AtomicBoolean refreshing = new AtomicBoolean();
  /** The group as last read, reused for {@code observeInterval}; null after any change we made. */
  Optional<InstanceGroupManager> group;
  Instant groupReadAt = Instant.EPOCH;
  /** Instances the operator's probes pass (from updateReady): victims are chosen among the others first. */
  volatile Set<String> ready = Set.of();
  /** Each listed instance's currentAction: the operator does not replace one GCE is already recreating. */
  final Map<String, String> actions = new HashMap<>();
  /** Internal address by VM id (a recreated VM has a new id and may have a new address). */
  final Map<Long, String> ips = new HashMap<>();
  /** The traffic path as last made to match; null until then (a restart reads it again once). */
  TrafficModel traffic;
  /** {@code address:port} of the load balancer; null without one. */
  volatile String endpoint;
  /** Instances the load balancer holds HEALTHY, by name, as its last getHealth said. */
  volatile Set<String> inRotation = Set.of();
  /** When the load balancer's view may be read next (it is read only while it lags the probes). */
  volatile Instant rotationReadAfter = Instant.EPOCH;
  volatile java.time.Duration rotationDelay = java.time.Duration.ZERO;
  final AtomicBoolean rotationRefreshing = new AtomicBoolean();
  /** What the group's listErrors explains, read only while instances are missing without a lastAttempt error. */
  final GroupErrors.Watch errors = new GroupErrors.Watch();

  /**
   * One listManagedInstances mapped to the SPI's view, when it was made, and whether every
   * instance was at rest (no action, nothing failing to be created).
   */
  record Listing(FleetObservation observation, Instant at, boolean atRest) {

    /**
     * Still true as of {@code census}: the group is stable and unchanged since before this
     * listing — so its instances are what this listing says. A listing confirmed is restamped
     * with the census's time, so the same census confirms it again until a newer one (read in
     * the background once per interval for the whole project) says otherwise.
     */
    boolean confirmedBy(GroupCensus.Summary census) {
      return atRest && census.confirms(at);
    }

    Listing restamped(Instant now) {
      return new Listing(observation, now, atRest);
    }
  }

  GceFleet(FleetId id) {
    this.id = id;
  }
}
