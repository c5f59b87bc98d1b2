package io.dustcloud.operator;

import io.dustcloud.core.Reason;
import io.dustcloud.api.v1alpha1.Unikernel;
import io.dustcloud.api.v1alpha1.UnikernelRevision;
import io.dustcloud.build.job.BuildEvents;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;

/**
 * Build events go to the Unikernel (where {@code kubectl describe uk} shows them), found
 * through the revision's controller owner reference, and name the Job so it can be inspected
 * with {@code kubectl describe job} / {@code kubectl logs job/…}.
 */
public final class BuildJobEvents implements BuildEvents {
  private final EventRecorder events;

  public BuildJobEvents(EventRecorder events) {
    this.events = events;
  }

  @Override
  public void started(UnikernelRevision revision, Job job, String key) {
    var owner = revision.getMetadata().getOwnerReferences().stream()
        .filter(o -> Boolean.TRUE.equals(o.getController())).findFirst();
    if (owner.isEmpty()) {
      return;
    }
    Unikernel uk = new Unikernel();
    uk.setMetadata(new ObjectMetaBuilder().withName(owner.get().getName())
        .withNamespace(revision.getMetadata().getNamespace()).withUid(owner.get().getUid()).build());
    events.normal(uk, Reason.BUILD_STARTED,
        "started build Job " + job.getMetadata().getName() + " for revision " + revision.getMetadata().getName()
            + " (build key " + key + "); kubectl logs job/" + job.getMetadata().getName());
  }
}
