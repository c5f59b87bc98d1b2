package io.dustcloud.operator;

import io.dustcloud.api.v1alpha1.Unikernel;
import io.dustcloud.api.v1alpha1.UnikernelStatus;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * Writes a Unikernel's status as a whole, guarded by the resourceVersion the decision was made
 * on. A patch computed against a cached copy can land on a newer object and corrupt lists
 * (duplicate conditions); a guarded replace either lands on exactly what was read or fails
 * with 409, and the reconcile runs again on fresh data.
 */
final class StatusWriter {
  private final KubernetesClient client;

  StatusWriter(KubernetesClient client) {
    this.client = client;
  }

  void write(Unikernel observed, UnikernelStatus status) {
    Unikernel update = new Unikernel();
    update.setMetadata(new ObjectMetaBuilder(observed.getMetadata()).build());
    update.setSpec(observed.getSpec());
    update.setStatus(status);
    Unikernel written = client.resource(update).updateStatus();
    observed.setStatus(status);
    observed.getMetadata().setResourceVersion(written.getMetadata().getResourceVersion());
  }
}
