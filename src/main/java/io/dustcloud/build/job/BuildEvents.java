package io.dustcloud.build.job;

import io.dustcloud.api.v1alpha1.UnikernelRevision;
import io.fabric8.kubernetes.api.model.batch.v1.Job;

/** What the operator tells people about builds (Events); implemented by the operator. */
public interface BuildEvents {
  /** A build Job was created for {@code revision}. */
  void started(UnikernelRevision revision, Job job, String key);

  BuildEvents NONE = (revision, job, key) -> {};
}
