package io.dustcloud.operator;

import io.dustcloud.api.v1alpha1.Unikernel;
import io.dustcloud.api.v1alpha1.UnikernelSpec;
import io.dustcloud.binding.Bindings;
import io.dustcloud.binding.ProviderBinding;
import io.dustcloud.core.Reason;
import io.dustcloud.provider.FleetId;
import io.dustcloud.provider.ProviderException;
import io.dustcloud.api.v1alpha1.UnikernelRevision;
import java.util.Collection;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What deleting a Unikernel does to its fleet: the provider deletes every instance and resource
 * (or, with {@code deletionPolicy: Orphan}, releases them running), then its revisions go. A
 * provider failure keeps the finalizer and is tried again.
 */
final class FleetDeletion {
  private static final Logger log = LoggerFactory.getLogger(FleetDeletion.class);
  private final Bindings bindings;
  private final Revisions revisions;
  private final FleetEvents events;

  FleetDeletion(Bindings bindings, Revisions revisions, FleetEvents events) {
    this.bindings = bindings;
    this.revisions = revisions;
    this.events = events;
  }

  /**
   * True when the fleet is gone (or released) and the finalizer may go; false to try again.
   *
   * @param known the fleet's revisions: builds running for them are cancelled first
   */
  boolean delete(Unikernel uk, Collection<UnikernelRevision> known) {
    FleetId fleet = FleetReconcile.fleetId(uk);
    UnikernelSpec spec = uk.getSpec();
    Optional<ProviderBinding> binding =
        spec == null || spec.provider == null ? Optional.empty() : bindings.forSpec(spec.provider);
    binding.ifPresent(b -> cancelBuilds(uk, b, known));
    try {
      if (binding.isPresent()) {
        var provider = binding.get().provider();
        provider.locate(fleet, binding.get().settings(spec.provider));
        if (spec.deletionPolicy == UnikernelSpec.DeletionPolicy.Orphan) {
          provider.release(fleet);
          events.normal(uk, Reason.FLEET_ORPHANED, "deletionPolicy Orphan: instances left running");
        } else {
          provider.delete(fleet);
          events.normal(uk, Reason.FLEET_DELETED, "all instances deleted");
        }
      }
      revisions.deleteAll(uk);
      return true;
    } catch (ProviderException e) {
      log.warn("fleet {}: delete failed, will retry: {}", fleet, e.getMessage());
      events.warning(uk, Reason.PROVIDER_ERROR, "deleting the fleet failed: " + e.getMessage());
      return false;
    }
  }

  /** A build nobody will wait for stops with its fleet, rather than running to its timeout. */
  private void cancelBuilds(Unikernel uk, ProviderBinding binding, Collection<UnikernelRevision> known) {
    for (UnikernelRevision rev : known) {
      try {
        String cancelled = binding.artifacts().cancel(rev);
        if (cancelled != null) {
          log.info("fleet {}: {}", FleetReconcile.fleetId(uk), cancelled);
          events.normal(uk, Reason.BUILD_CANCELLED, cancelled + " (revision " + rev.getMetadata().getName() + ")");
        }
      } catch (RuntimeException e) {
        // the build ends at its timeout anyway (and a Job with its owner): deletion goes on
        log.warn("fleet {}: cancelling the build of {} failed: {}", FleetReconcile.fleetId(uk),
            rev.getMetadata().getName(), e.toString());
      }
    }
  }
}
