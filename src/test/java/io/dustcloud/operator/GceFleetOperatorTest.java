package io.dustcloud.operator;

import io.dustcloud.testing.EndToEnd;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dustcloud.api.v1alpha1.Unikernel;
import io.dustcloud.testing.Unikernels;
import io.dustcloud.testing.gce.FakeCompute;
import io.dustcloud.testing.gce.GceOperator;
import io.dustcloud.testing.gce.GceTesting;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator with the GCE provider on the Compute fake. The fake's instances have no network;
 * their addresses point at one loopback server answering {@code /health}, so the operator's
 * probes pass and the fleet becomes Ready.
 */
@EndToEnd
class GceFleetOperatorTest {
  static final String NS = "default";
  @TempDir Path dir;
  GceOperator gce;
  KubernetesClient client;
  FakeCompute fake;

  @BeforeEach
  void start() throws Exception {
    gce = GceOperator.start(dir, 6000, Duration.ofSeconds(1));
    client = gce.client;
    fake = gce.fake;
  }

  @AfterEach
  void stop() {
    gce.close();
  }

  @Test
  void aGceUnikernelGetsAGroupAndBecomesReadyThenDeleteRemovesEverything() {
    client.resource(Unikernels.gce(NS, "hello", GceTesting.PROJECT, GceTesting.ZONE, 2)).create();

    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      Unikernel uk = client.resources(Unikernel.class).inNamespace(NS).withName("hello").get();
      assertThat(uk.getStatus()).isNotNull();
      assertThat(StatusConditions.isTrue(uk.getStatus().conditions, Conditions.READY)).isTrue();
      assertThat(uk.getStatus().readyReplicas).isEqualTo(2);
    });
    assertThat(fake.groupKeys()).singleElement().asString().startsWith(GceTesting.GROUP_SCOPE + "/dc-default-hello-");
    assertThat(fake.group(fake.groupKeys().get(0)).path("targetSize").asInt()).isEqualTo(2);
    assertThat(fake.templateNames()).hasSize(1);
    assertThat(fake.imageNames()).hasSize(1);

    client.resources(Unikernel.class).inNamespace(NS).withName("hello").delete();
    await().atMost(Duration.ofSeconds(30)).until(
        () -> client.resources(Unikernel.class).inNamespace(NS).withName("hello").get() == null);
    assertThat(fake.groupKeys()).isEmpty();
    assertThat(fake.templateNames()).isEmpty();
    assertThat(fake.imageNames()).isEmpty();
  }
}
