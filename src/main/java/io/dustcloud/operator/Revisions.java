package io.dustcloud.operator;

import io.dustcloud.api.v1alpha1.ArtifactFormat;
import io.dustcloud.api.v1alpha1.Unikernel;
import io.dustcloud.api.v1alpha1.UnikernelRevision;
import io.dustcloud.core.Reason;
import java.time.Instant;
import java.util.Collection;

/**
 * Where the reconcile keeps {@code UnikernelRevision}s: {@link RevisionStore} against the API
 * server, an in-memory fake in the pipeline's tests.
 */
interface Revisions {
  /** The revision for the current spec, and whether this call created it. */
  record Ensured(UnikernelRevision revision, boolean created) {}

  /** Returns the existing revision named like {@code desired} or creates it. */
  Ensured ensure(UnikernelRevision desired, Collection<UnikernelRevision> known);

  /** Records the resolved artifact; returns the revision as written. */
  UnikernelRevision recordArtifact(
      UnikernelRevision rev, String location, String sha256, String buildKey, ArtifactFormat format, Instant now);

  /** Records that the artifact could not be resolved, or is still being built. */
  void recordNotBuilt(UnikernelRevision rev, String status, Reason reason, String message, Instant now);

  /** Records what the fleet observed of a revision; null arguments are left as they are. */
  void recordObserved(UnikernelRevision rev, Instant firstHealthy, Instant lastServed, Long bootMedianMillis);

  /** The revision named {@code name} as stored, whoever made it; null when there is none. */
  UnikernelRevision find(String namespace, String name);

  void delete(UnikernelRevision rev);

  void deleteAll(Unikernel uk);
}
