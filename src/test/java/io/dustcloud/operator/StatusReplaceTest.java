package io.dustcloud.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dustcloud.api.CrdFiles;
import io.dustcloud.api.v1alpha1.Unikernel;
import io.dustcloud.api.v1alpha1.UnikernelStatus;
import io.dustcloud.dev.DevApiServer;
import io.dustcloud.testing.MockApiServer;
import io.dustcloud.testing.Unikernels;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StatusReplaceTest {
  static final String NS = "default";

  @Test
  void aConflictFromAMetadataChangeIsAbsorbedAndTheChangeKept() {
    try (MockApiServer api = new MockApiServer()) {
      KubernetesClient client = api.client();
      Unikernel read = withStatus(client, "a", "r1");
      labelBehindTheReadersBack(client, "a");

      Unikernel written = StatusReplace.replace(client, statusUpdate(read, "r2"), read.getStatus(), Unikernel::getStatus);

      Unikernel now = client.resources(Unikernel.class).inNamespace(NS).withName("a").get();
      assertThat(now.getStatus().currentRevision).isEqualTo("r2");
      assertThat(now.getMetadata().getLabels()).containsEntry("team", "sre");
      assertThat(written.getMetadata().getResourceVersion()).isEqualTo(now.getMetadata().getResourceVersion());
    }
  }

  @Test
  void aConflictBecauseTheStatusMovedOnIsReturnedAndTheNewerStatusKept() {
    try (MockApiServer api = new MockApiServer()) {
      KubernetesClient client = api.client();
      Unikernel read = withStatus(client, "a", "r1");
      // another write of the status (a reconcile that decided on a newer copy) lands first
      Unikernel newer = client.resources(Unikernel.class).inNamespace(NS).withName("a").get();
      newer.getStatus().currentRevision = "r3";
      client.resource(newer).updateStatus();

      assertThatThrownBy(() -> StatusReplace.replace(client, statusUpdate(read, "r2"), read.getStatus(), Unikernel::getStatus))
          .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(409));
      assertThat(client.resources(Unikernel.class).inNamespace(NS).withName("a").get().getStatus().currentRevision)
          .isEqualTo("r3");
    }
  }

  @Test
  void anObjectDeletedMeanwhileIsNotRecreated() {
    try (MockApiServer api = new MockApiServer()) {
      KubernetesClient client = api.client();
      Unikernel read = withStatus(client, "a", "r1");
      client.resource(read).delete();

      assertThatThrownBy(() -> StatusReplace.replace(client, statusUpdate(read, "r2"), read.getStatus(), Unikernel::getStatus))
          .isInstanceOf(KubernetesClientException.class);
      assertThat(client.resources(Unikernel.class).inNamespace(NS).withName("a").get()).isNull();
    }
  }

  @Test
  void refusalsThatChangeNothingAreRetriedABoundedNumberOfTimes() {
    try (DevApiServer api = DevApiServer.start("127.0.0.1", 0)) {
      api.installCrds(CrdFiles.load());
      KubernetesClient client = api.client();
      Unikernel read = withStatus(client, "a", "r1");

      api.faults().statusConflictRate = 1.0;
      assertThatThrownBy(() -> StatusReplace.replace(client, statusUpdate(read, "r2"), read.getStatus(), Unikernel::getStatus))
          .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(409));
      assertThat(api.faults().conflictsInjected()).isEqualTo(StatusReplace.ATTEMPTS);

      // refused half of the time: each of twenty writes lands (seeded, so the draws are fixed)
      api.faults().seed(7);
      api.faults().statusConflictRate = 0.5;
      long before = api.faults().conflictsInjected();
      Unikernel current = client.resources(Unikernel.class).inNamespace(NS).withName("a").get();
      for (int i = 0; i < 20; i++) {
        current = StatusReplace.replace(client, statusUpdate(current, "r" + (10 + i)), current.getStatus(), Unikernel::getStatus);
      }
      api.faults().clear();
      assertThat(api.faults().conflictsInjected() - before).as("conflicts injected").isGreaterThanOrEqualTo(5);
      assertThat(client.resources(Unikernel.class).inNamespace(NS).withName("a").get().getStatus().currentRevision)
          .isEqualTo("r29");
    }
  }

  private static Unikernel withStatus(KubernetesClient client, String name, String revision) {
    Unikernel created = client.resource(Unikernels.local(NS, name, Path.of("/bin/true"), 1)).create();
    UnikernelStatus status = new UnikernelStatus();
    status.currentRevision = revision;
    created.setStatus(status);
    return client.resource(created).updateStatus();
  }

  private static void labelBehindTheReadersBack(KubernetesClient client, String name) {
    Unikernel other = client.resources(Unikernel.class).inNamespace(NS).withName(name).get();
    other.getMetadata().setLabels(Map.of("team", "sre"));
    client.resource(other).update();
  }

  private static Unikernel statusUpdate(Unikernel read, String revision) {
    Unikernel update = Json.copy(read, Unikernel.class);
    update.getStatus().currentRevision = revision;
    return update;
  }
}
