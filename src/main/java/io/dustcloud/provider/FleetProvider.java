package io.dustcloud.provider;

import java.util.Collection;
import java.util.List;
import java.util.Set;

/**
 * The provider SPI. A provider realizes "desired instances per revision" on a backend and
 * reports what exists. Every method is idempotent and safe to call again after a crash:
 * providers keep or derive enough state to adopt what they created before.
 */
public interface FleetProvider extends AutoCloseable {

  /** Short name used in specs, metrics and logs: {@code local}, {@code gce}. */
  String name();

  /** Why this provider cannot boot {@code image} on this host, or null when it can. */
  default String unsupportedReason(RevisionImage image) {
    return null;
  }

  /**
   * {@link #unsupportedReason} with the reason to stall with; providers that can tell a faulty
   * artifact from a host that lacks something override it.
   */
  default Unsupported unsupported(RevisionImage image) {
    return Unsupported.of(unsupportedReason(image));
  }

  /**
   * Tells the provider where the fleet lives: the provider settings of its spec (for GCE the
   * project and zone or region), of the provider's own settings type. Called before {@link #observe} and {@link #delete}, which a
   * restarted operator may call before any {@link #realize}. Providers that keep their own
   * state ignore it.
   */
  default void locate(FleetId fleet, ProviderSettings settings) {}

  /**
   * What runs the instance ({@code process}, {@code qemu}, {@code solo5} for the local
   * provider), for metrics labels. Providers with one way of running instances keep the default.
   */
  default String runtime(FleetId fleet, String instanceId) {
    return name();
  }

  /** What exists now for {@code fleet}, without changing anything. */
  FleetObservation observe(FleetId fleet);

  /**
   * Make the fleet hold exactly the desired number of instances of each revision: start what
   * is missing, stop what is extra (revisions absent from {@code desired} go to zero). A failed
   * instance is kept ({@link InstanceState#FAILED}) and counts towards its revision until
   * {@link #replace} replaces it. Returns the observation after acting.
   */
  FleetObservation realize(DesiredFleet desired);

  /**
   * Replace the named instances with fresh ones of the same revision. The only way a failed
   * instance is replaced: {@link #realize} keeps it, so the supervisor's repair loop decides
   * when (its crash-loop backoff), the same way for every provider.
   */
  void replace(FleetId fleet, Collection<String> instanceIds);

  /**
   * The last lines of an instance's output (local: its log; GCE: its serial console), at most
   * {@code lines} lines and {@code bytes} bytes, oldest first, for status messages about an
   * instance that failed. Empty when the provider keeps no output or the instance is unknown.
   */
  default List<String> consoleTail(FleetId fleet, String instanceId, int lines, int bytes) {
    return List.of();
  }

  /**
   * Tell the provider which instances passed their health checks, so its fleet endpoint
   * (load balancer) sends traffic only to them. Providers without an endpoint ignore it.
   */
  default void updateReady(FleetId fleet, Set<String> readyInstanceIds) {}

  /**
   * Whether the fleet endpoint sends new connections only to the instances {@link #updateReady}
   * names, so that ready instances can run without traffic. The local endpoint can; a GCE load
   * balancer sends to every healthy instance of the group. Where it cannot, the previous revision
   * is not kept warm after a promotion: its instances would go on serving beside the promoted
   * one. No by default: a provider says so only when its endpoint really routes that way.
   */
  default boolean routesOnlyToNamedInstances() {
    return false;
  }

  /**
   * Deletes the provider resources of a revision that is no longer retained (GCE: its image and
   * instance template). Returns whether they are gone; false means still in use, try later.
   * Providers without per-revision resources have nothing to delete.
   */
  default boolean deleteRevision(FleetId fleet, String revision) {
    return true;
  }

  /** Remove every instance and resource of the fleet. Idempotent. */
  void delete(FleetId fleet);

  /** Stop managing the fleet but leave its instances and resources running. */
  void release(FleetId fleet);

  @Override
  default void close() {}
}
