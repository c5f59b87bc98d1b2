package io.dustcloud.operator;

import io.dustcloud.api.v1alpha1.LenientlyRead;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.javaoperatorsdk.operator.api.config.Cloner;

/**
 * JOSDK's copy of a resource before it is handed to the reconciler, through JSON like JOSDK's
 * own, that keeps what could not be read of it ({@link LenientlyRead}): the problems are not part
 * of the JSON, and without them a Unikernel whose spec could not be read would reach the
 * reconciler as one without a spec.
 */
public final class ReadProblemsCloner implements Cloner {
  private final KubernetesSerialization serialization;

  public ReadProblemsCloner(KubernetesSerialization serialization) {
    this.serialization = serialization;
  }

  @Override
  public <R extends HasMetadata> R clone(R object) {
    R copy = serialization.clone(object);
    if (object instanceof LenientlyRead<?> from && copy instanceof LenientlyRead<?> to) {
      carry(from, to);
    }
    return copy;
  }

  @SuppressWarnings("unchecked")
  private static <S> void carry(LenientlyRead<S> from, LenientlyRead<?> to) {
    // same class on both sides: the copy is made from the object
    ((LenientlyRead<S>) to).readProblems(from.readProblems());
  }
}
