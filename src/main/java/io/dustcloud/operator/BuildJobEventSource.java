package io.dustcloud.operator;

import io.dustcloud.api.v1alpha1.Unikernel;
import io.dustcloud.build.job.BuildJobModel;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.util.Set;

/**
 * Wakes the reconciler when a build Job changes (started, completed, failed, deleted). Jobs are
 * owned by a revision, not by the Unikernel, so they map to their Unikernel by label. Only
 * Dustcloud's build Jobs are watched (label selector), never every Job in the cluster.
 */
final class BuildJobEventSource {
  static final String SELECTOR = BuildJobModel.LABEL_COMPONENT + "=" + BuildJobModel.COMPONENT;

  private BuildJobEventSource() {}

  static InformerEventSource<Job, Unikernel> create(EventSourceContext<Unikernel> context) {
    return new InformerEventSource<>(
        InformerEventSourceConfiguration.from(Job.class, Unikernel.class)
            .withName("build-jobs")
            .withLabelSelector(SELECTOR)
            .withSecondaryToPrimaryMapper(BuildJobEventSource::owner)
            .build(),
        context);
  }

  static Set<ResourceID> owner(Job job) {
    var annotations = job.getMetadata().getAnnotations();
    var labels = job.getMetadata().getLabels();
    String uk = annotations == null ? null : annotations.get(BuildJobModel.ANNOTATION_UNIKERNEL);
    if (uk == null) {
      // Jobs created before the annotation existed
      uk = labels == null ? null : labels.get(BuildJobModel.LABEL_UNIKERNEL);
    }
    return uk == null ? Set.of() : Set.of(new ResourceID(uk, job.getMetadata().getNamespace()));
  }
}
