package io.dustcloud.operator;

import io.dustcloud.core.Reason;
import io.fabric8.kubernetes.api.model.HasMetadata;

/** Where Events go: {@link EventRecorder} in the operator, a list in the pipeline's tests. */
public interface FleetEvents {
  void normal(HasMetadata object, Reason reason, String message);

  void warning(HasMetadata object, Reason reason, String message);
}
