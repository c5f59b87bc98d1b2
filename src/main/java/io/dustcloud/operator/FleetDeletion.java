package io.dustcloud.operator;

import io.dustcloud.api.v1alpha1.Unikernel;
import io.dustcloud.api.v1alpha1.ProviderSpec;
import io.dustcloud.api.v1alpha1.UnikernelRevision;
import io.dustcloud.api.v1alpha1.UnikernelSpec;
import io.dustcloud.binding.Bindings;
import io.dustcloud.binding.ProviderBinding;
import io.dustcloud.core.Reason;
import io.dustcloud.provider.FleetId;
import io.dustcloud.provider.ProviderException;
import java.util.Collection;
import java.util.List;
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

  /** True when the fleet is gone (or released) and the finalizer may go; false to try again. */
  boolean delete(Unikernel uk) {
    return delete(uk, List.of());
  }

  /**
   * As {@link #delete(Unikernel)}; {@code known} are the fleet's revisions: builds running for
   * them are cancelled first, and they name the provider when the spec that could not be read
   * does not.
   */
  boolean delete(Unikernel uk, Collection<UnikernelRevision> known) {
    FleetId fleet = FleetReconcile.fleetId(uk);
    // a spec that cannot be read as a whole: its readable fields still name the provider and policy
    UnikernelSpec spec = uk.getSpec() != null ? uk.getSpec() : uk.readProblems().readableSpec();
    ProviderSpec providerSpec = spec != null && spec.provider != null ? spec.provider : newestProvider(known);
    // unreadable too: the schema's default
    UnikernelSpec.DeletionPolicy policy = spec == null ? UnikernelSpec.DeletionPolicy.Delete : spec.deletionPolicy;
    Optional<ProviderBinding> binding = providerSpec == null ? Optional.empty() : bindings.forSpec(providerSpec);
    if (providerSpec == null) {
      log.warn("fleet {}: deleted without a readable provider; its instances, if any, are left running", fleet);
    }
    binding.ifPresent(b -> cancelBuilds(uk, b, known));
    try {
      if (binding.isPresent()) {
        var provider = binding.get().provider();
        provider.locate(fleet, binding.get().settings(providerSpec));
        if (policy == UnikernelSpec.DeletionPolicy.Orphan) {
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

  /** The provider the newest readable revision was made for, or null. */
  private static ProviderSpec newestProvider(Collection<UnikernelRevision> known) {
    List<UnikernelRevision> newestLast = RevisionStore.oldestFirst(known);
    for (int i = newestLast.size() - 1; i >= 0; i--) {
      var spec = newestLast.get(i).getSpec();
      if (spec != null && spec.provider != null) {
        return spec.provider;
      }
    }
    return null;
  }
}
