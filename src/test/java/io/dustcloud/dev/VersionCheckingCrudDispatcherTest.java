package io.dustcloud.dev;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dustcloud.api.v1alpha1.Unikernel;
import io.dustcloud.api.v1alpha1.UnikernelStatus;
import io.dustcloud.testing.MockApiServer;
import io.dustcloud.testing.Unikernels;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Status writes from a stale read are refused like on a real API server (fabric8's store let
 * them overwrite newer status: a reconcile on a stale cache re-stamped a Ready condition).
 */
class VersionCheckingCrudDispatcherTest {
  private final MockApiServer api = new MockApiServer();
  private final KubernetesClient client = api.client();

  @AfterEach
  void stop() {
    api.close();
  }

  @Test
  void aStatusWriteNamingAnOldResourceVersionIsAConflict() {
    client.resource(Unikernels.local("default", "app", Path.of("/bin/true"), 1)).create();
    Unikernel read = client.resources(Unikernel.class).inNamespace("default").withName("app").get();
    Unikernel first = copyWithStatus(read, 1);
    Unikernel written = client.resource(first).updateStatus();
    assertThat(written.getStatus().replicas).isEqualTo(1);

    Unikernel stale = copyWithStatus(read, 2);
    assertThatThrownBy(() -> client.resource(stale).updateStatus())
        .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
          assertThat(e.getCode()).isEqualTo(409);
          assertThat(e.getMessage()).contains("the object has been modified");
        });
    assertThat(client.resources(Unikernel.class).inNamespace("default").withName("app").get().getStatus().replicas)
        .isEqualTo(1);

    Unikernel current = copyWithStatus(written, 3);
    assertThat(client.resource(current).updateStatus().getStatus().replicas).isEqualTo(3);
  }

  @Test
  void anUnconditionalStatusWriteStillLands() {
    client.resource(Unikernels.local("default", "app", Path.of("/bin/true"), 1)).create();
    Unikernel read = client.resources(Unikernel.class).inNamespace("default").withName("app").get();
    client.resource(copyWithStatus(read, 1)).updateStatus();

    Unikernel unconditional = copyWithStatus(read, 5);
    unconditional.getMetadata().setResourceVersion(null);
    assertThat(client.resource(unconditional).updateStatus().getStatus().replicas).isEqualTo(5);
  }

  private static Unikernel copyWithStatus(Unikernel uk, int replicas) {
    Unikernel copy = io.fabric8.kubernetes.client.utils.Serialization.clone(uk);
    copy.setStatus(new UnikernelStatus());
    copy.getStatus().replicas = replicas;
    return copy;
  }
}
