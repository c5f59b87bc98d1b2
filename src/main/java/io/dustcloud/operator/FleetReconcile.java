package io.dustcloud.operator;

import io.dustcloud.binding.ProviderBinding;
import io.dustcloud.supervisor.FleetSnapshot;
import io.dustcloud.supervisor.SupervisionSpec;
import io.dustcloud.api.v1alpha1.Unikernel;
import io.dustcloud.api.v1alpha1.UnikernelRevision;
import io.dustcloud.api.v1alpha1.UnikernelSpec;
import io.dustcloud.api.v1alpha1.UnikernelStatus;
import io.dustcloud.core.rollout.RolloutDecision;
import io.dustcloud.provider.FleetId;
import io.dustcloud.provider.FleetObservation;
import io.dustcloud.provider.FleetProvider;
import io.dustcloud.provider.RevisionImage;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything one reconcile of one fleet knows: the inputs (the Unikernel as read, its stored
 * status, its revisions, the time) and what each step of the pipeline found or decided, in the
 * order the steps run. Steps fill it; {@link FleetFacts#of} reads it once the pipeline ends.
 */
final class FleetReconcile {
  final Unikernel uk;
  final FleetId fleet;
  final long generation;
  final Instant now;
  /** The status as stored; null for a new Unikernel. Never changed. */
  final UnikernelStatus stored;
  final Collection<UnikernelRevision> known;

  // gate-spec
  ProviderBinding binding;
  FleetProvider provider;
  // resolve-revision
  /**
   * Every revision of this Unikernel by name ({@link RevisionTrust}), the one for the current
   * spec included (as last written). Only these are run, pinned, counted or deleted.
   */
  final Map<String, UnikernelRevision> revisions = new LinkedHashMap<>();
  /** Revisions among {@link #known} that are not this Unikernel's, by name. */
  final Map<String, UnikernelRevision> foreign = new LinkedHashMap<>();
  UnikernelRevision latest;
  UnikernelRevision pinned;
  /** The bootable image of each revision whose artifact is recorded. */
  final Map<String, RevisionImage> images = new LinkedHashMap<>();
  // observe
  FleetSnapshot snapshot;
  SupervisionSpec supervision;
  FleetObservation observed;
  // plan
  /** The rollout state read back from status, each revision it names verified ({@link StatusTrust}). */
  io.dustcloud.core.rollout.RolloutState believed;
  RolloutDecision decision;
  // act
  FleetObservation realized;

  FleetReconcile(Unikernel uk, Collection<UnikernelRevision> known, Instant now) {
    this.uk = Objects.requireNonNull(uk, "uk");
    this.fleet = fleetId(uk);
    this.generation = uk.getMetadata().getGeneration() == null ? 0 : uk.getMetadata().getGeneration();
    this.now = now;
    this.stored = uk.getStatus();
    this.known = List.copyOf(known);
    // JOSDK hands over every revision whose ownerReferences name this Unikernel, controller or
    // not, whatever its uid and content: the others are kept apart, for messages only
    for (UnikernelRevision r : this.known) {
      (RevisionTrust.trusted(uk, r) ? revisions : foreign).put(r.getMetadata().getName(), r);
    }
  }

  UnikernelSpec spec() {
    return uk.getSpec();
  }

  FleetId fleet() {
    return fleet;
  }

  static FleetId fleetId(Unikernel uk) {
    return new FleetId(uk.getMetadata().getNamespace(), uk.getMetadata().getName());
  }

  /** The recorded artifact digest of {@code rev}, or null when it was never resolved. */
  static String recordedSha(UnikernelRevision rev) {
    return rev.getStatus() == null || rev.getStatus().artifact == null ? null : rev.getStatus().artifact.sha256;
  }

  /** The retained revisions' names, oldest first, for messages. */
  String retained() {
    return revisions.isEmpty() ? "none"
        : String.join(", ", RevisionStore.oldestFirst(revisions.values()).stream()
            .map(r -> r.getMetadata().getName()).toList());
  }
}
