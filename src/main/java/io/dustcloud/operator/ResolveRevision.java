package io.dustcloud.operator;

import io.dustcloud.api.v1alpha1.ArtifactFormat;
import io.dustcloud.api.v1alpha1.UnikernelRevision;
import io.dustcloud.api.v1alpha1.UnikernelRevisionSpec;
import io.dustcloud.build.ArtifactResolution;
import io.dustcloud.core.Reason;
import io.dustcloud.provider.RevisionImage;
import io.dustcloud.provider.Unsupported;
import java.time.Duration;

/**
 * Step 2: the revision the spec asks for exists (created when new), and the image of every
 * revision that can run is known: the latest's artifact resolved (built, fetched, checked) and
 * recorded on it, or the pinned revision's taken as recorded. The images' provider must be able
 * to boot the one that will roll out.
 */
final class ResolveRevision implements ReconcileStep {
  static final Duration BUILD_POLL = Duration.ofSeconds(1);
  private final Revisions revisions;
  private final FleetEvents events;

  ResolveRevision(Revisions revisions, FleetEvents events) {
    this.revisions = revisions;
    this.events = events;
  }

  @Override
  public String name() {
    return "resolve-revision";
  }

  @Override
  public StepResult run(FleetReconcile r) {
    Revisions.Ensured ensured = revisions.ensure(RevisionModel.desired(r.uk), r.known);
    if (!RevisionTrust.trusted(r.uk, ensured.revision())) {
      // someone else's object holds the name of this spec's revision: never run what it says
      return StepResult.stall(Reason.REVISION_CONFLICT, "the revision for this spec is taken: "
          + RevisionTrust.describe(r.uk, ensured.revision()) + ". Nothing was started from it; the fleet is left as"
          + " it runs until the object is deleted.");
    }
    r.latest = ensured.revision();
    if (ensured.created()) {
      events.normal(r.uk, Reason.REVISION_CREATED, "created revision " + name(r.latest));
    }
    r.revisions.put(name(r.latest), r.latest);
    String pin = r.spec().revision;
    if (pin != null) {
      r.pinned = r.revisions.get(pin);
      UnikernelRevision other = r.pinned != null ? null
          : r.foreign.containsKey(pin) ? r.foreign.get(pin) : revisions.find(r.uk.getMetadata().getNamespace(), pin);
      if (other != null) {
        return StepResult.stall(Reason.REVISION_CONFLICT, "spec.revision names "
            + RevisionTrust.describe(r.uk, other) + ". Only this Unikernel's own revisions can be pinned; retained: "
            + r.retained() + ". Nothing was changed.");
      }
      if (r.pinned == null || FleetReconcile.recordedSha(r.pinned) == null) {
        return StepResult.stall(Reason.REVISION_NOT_FOUND, "spec.revision names " + pin
            + (r.pinned == null ? ", which does not exist" : ", whose artifact was never resolved")
            + "; retained revisions: " + r.retained() + ". Nothing was changed.");
      }
    } else {
      StepResult resolved = resolveLatest(r);
      if (!(resolved instanceof StepResult.Continue)) {
        return resolved;
      }
    }
    for (UnikernelRevision rev : r.revisions.values()) {
      String sha = FleetReconcile.recordedSha(rev);
      // the location comes from the resolver, not from the revision's status, which others can write
      String location = sha == null ? null : r.binding.artifacts().location(rev.getStatus().artifact.url, sha);
      if (location != null) {
        r.images.put(name(rev), r.binding.image(rev, location, sha));
      }
    }
    RevisionImage latest = r.images.get(name(r.latest));
    if (r.pinned == null && latest != null) {
      Unsupported unsupported = r.provider.unsupported(latest);
      if (unsupported != null) {
        return StepResult.stall(unsupported.reason(), unsupported.message());
      }
    }
    return StepResult.CONTINUE;
  }

  /** Resolves the latest revision's artifact and records it once; a running build waits. */
  private StepResult resolveLatest(FleetReconcile r) {
    UnikernelRevision rev = r.latest;
    ArtifactResolution resolution = r.binding.artifacts().resolve(rev);
    if (resolution instanceof ArtifactResolution.Failed f) {
      revisions.recordNotBuilt(rev, Conditions.FALSE, f.reason(), f.message(), r.now);
      return StepResult.stall(f.reason(), f.message());
    }
    if (resolution instanceof ArtifactResolution.Pending p) {
      revisions.recordNotBuilt(rev, Conditions.UNKNOWN, p.reason(), p.message(), r.now);
      return StepResult.waitFor(p.reason(), p.message(), BUILD_POLL);
    }
    var resolved = (ArtifactResolution.Resolved) resolution;
    if (FleetReconcile.recordedSha(rev) == null) {
      // the written revision replaces the cached one in this reconcile only; the informer's
      // cache learns of it through RevisionStore's write listener
      r.latest = revisions.recordArtifact(rev, resolved.location(), resolved.sha256(), resolved.buildKey(),
          format(rev.getSpec()), r.now);
      r.revisions.put(name(r.latest), r.latest);
      events.normal(r.uk, resolved.built() ? Reason.BUILD_SUCCEEDED : Reason.ARTIFACT_RESOLVED,
          "revision " + name(rev) + " runs sha256:" + resolved.sha256());
    }
    return StepResult.CONTINUE;
  }

  static ArtifactFormat format(UnikernelRevisionSpec s) {
    return s.image != null ? s.image.format : s.build.target;
  }

  private static String name(UnikernelRevision rev) {
    return rev.getMetadata().getName();
  }
}
