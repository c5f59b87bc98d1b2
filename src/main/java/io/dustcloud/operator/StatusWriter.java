package io.dustcloud.operator;

import io.dustcloud.api.v1alpha1.Unikernel;
import io.dustcloud.api.v1alpha1.UnikernelStatus;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.event.ResourceID;

/**
 * Writes a Unikernel's status as a whole, guarded by the resourceVersion the decision was made
 * on. A patch computed against a cached copy can land on a newer object and corrupt lists
 * (duplicate conditions); a guarded replace either lands on exactly what was read or fails
 * with 409, and the reconcile runs again on fresh data. A 409 that did not move the status on
 * is absorbed by {@link StatusReplace}.
 *
 * <p>What was written is handed to JOSDK's cache of Unikernels: the informer learns of the
 * write only through its watch, and a reconcile starting before that (the supervisor wakes the
 * reconciler often) would otherwise decide on the version before the write and be refused.
 */
public final class StatusWriter {
  private final KubernetesClient client;

  public StatusWriter(KubernetesClient client) {
    this.client = client;
  }

  void write(Unikernel observed, UnikernelStatus status, Context<Unikernel> context) {
    Unikernel update = new Unikernel();
    update.setMetadata(new ObjectMetaBuilder(observed.getMetadata()).build());
    update.setSpec(observed.getSpec());
    update.setStatus(status);
    Unikernel written = StatusReplace.replace(client, update, observed.getStatus(), Unikernel::getStatus);
    if (context != null) {
      Unikernel before = new Unikernel();
      before.setMetadata(new ObjectMetaBuilder(observed.getMetadata()).build());
      context.eventSourceRetriever().getControllerEventSource()
          .handleRecentResourceUpdate(ResourceID.fromResource(written), written, before);
    }
    observed.setStatus(status);
    observed.getMetadata().setResourceVersion(written.getMetadata().getResourceVersion());
  }
}
