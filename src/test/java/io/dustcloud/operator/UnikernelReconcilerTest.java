package io.dustcloud.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dustcloud.api.v1alpha1.Unikernel;
import io.dustcloud.api.v1alpha1.UnikernelRevision;
import io.dustcloud.provider.FleetId;
import io.dustcloud.testing.MockApiServer;
import io.dustcloud.testing.TestingFleetProvider;
import io.dustcloud.testing.Unikernels;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The reconciler against the mock API server (CRUD mode) and an in-memory provider. */
class UnikernelReconcilerTest {
  static final String NS = "default";
  @TempDir Path dir;
  MockApiServer api;
  KubernetesClient client;
  TestingFleetProvider provider;
  DustcloudOperator operator;
  Path artifact;

  @BeforeEach
  void start() throws Exception {
    api = new MockApiServer();
    client = api.client();
    provider = new TestingFleetProvider("local");
    operator =
        new DustcloudOperator(client, OperatorConfig.dev(dir.resolve("state"), 0),
            new ProviderRegistry().register(provider), Clock.systemUTC()).start();
    artifact = Files.writeString(dir.resolve("hello.bin"), "#!/bin/sh\necho hello\n");
  }

  @AfterEach
  void stop() {
    operator.close();
    api.close();
  }

  @Test
  void createsRevisionAndFleetThenReportsReady() {
    client.resource(Unikernels.local(NS, "hello", artifact, 2)).create();

    Unikernel uk = awaitCondition("hello", Conditions.READY, "True");
    assertThat(uk.getStatus().readyReplicas).isEqualTo(2);
    assertThat(uk.getStatus().replicas).isEqualTo(2);
    assertThat(uk.getStatus().replicasSummary).isEqualTo("2/2");
    assertThat(uk.getStatus().observedGeneration).isEqualTo(uk.getMetadata().getGeneration());
    assertThat(uk.getStatus().currentRevision).startsWith("hello-").hasSize("hello-".length() + 10);
    assertThat(uk.getStatus().endpoint).isEqualTo("fake-endpoint/default.hello");
    assertThat(condition(uk, Conditions.STALLED).status).isEqualTo("False");
    assertThat(condition(uk, Conditions.AVAILABLE).status).isEqualTo("True");
    assertThat(uk.getMetadata().getFinalizers()).hasSize(1);

    UnikernelRevision rev =
        client.resources(UnikernelRevision.class).inNamespace(NS).withName(uk.getStatus().currentRevision).get();
    assertThat(rev.getStatus().artifact.sha256).isEqualTo(Unikernels.sha256(artifact));
    assertThat(rev.getMetadata().getOwnerReferences()).singleElement()
        .satisfies(o -> assertThat(o.getUid()).isEqualTo(uk.getMetadata().getUid()));
    assertThat(provider.ready(new FleetId(NS, "hello"))).hasSize(2);
    assertThat(eventReasons("hello")).contains(Conditions.Reason.REVISION_CREATED, Conditions.Reason.FLEET_READY);
  }

  @Test
  void specChangeCreatesNewRevisionAndReplacesInstances() {
    client.resource(Unikernels.local(NS, "hello", artifact, 1)).create();
    String first = awaitCondition("hello", Conditions.READY, "True").getStatus().currentRevision;

    Unikernel changed = client.resources(Unikernel.class).inNamespace(NS).withName("hello").get();
    changed.getSpec().bootArgs = List.of("--version=v2");
    client.resource(changed).update();

    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
      Unikernel uk = client.resources(Unikernel.class).inNamespace(NS).withName("hello").get();
      assertThat(uk.getStatus().currentRevision).isNotEqualTo(first);
      assertThat(condition(uk, Conditions.READY).status).isEqualTo("True");
      assertThat(uk.getStatus().replicas).isEqualTo(1);
    });
    assertThat(client.resources(UnikernelRevision.class).inNamespace(NS).list().getItems()).hasSize(2);
  }

  @Test
  void scalingChangeKeepsTheRevision() {
    client.resource(Unikernels.local(NS, "hello", artifact, 1)).create();
    String first = awaitCondition("hello", Conditions.READY, "True").getStatus().currentRevision;
    Unikernel changed = client.resources(Unikernel.class).inNamespace(NS).withName("hello").get();
    changed.getSpec().scaling.minReplicas = 3;
    client.resource(changed).update();
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
      Unikernel uk = client.resources(Unikernel.class).inNamespace(NS).withName("hello").get();
      assertThat(uk.getStatus().readyReplicas).isEqualTo(3);
      assertThat(uk.getStatus().currentRevision).isEqualTo(first);
    });
    assertThat(client.resources(UnikernelRevision.class).inNamespace(NS).list().getItems()).hasSize(1);
  }

  @Test
  void deleteRemovesTheFleetAndTheFinalizer() {
    client.resource(Unikernels.local(NS, "hello", artifact, 1)).create();
    awaitCondition("hello", Conditions.READY, "True");
    client.resources(Unikernel.class).inNamespace(NS).withName("hello").delete();
    await().atMost(Duration.ofSeconds(20)).until(
        () -> client.resources(Unikernel.class).inNamespace(NS).withName("hello").get() == null);
    assertThat(provider.calls).contains("delete default/hello");
    assertThat(provider.observe(new FleetId(NS, "hello")).instances()).isEmpty();
    assertThat(client.resources(UnikernelRevision.class).inNamespace(NS).list().getItems()).isEmpty();
  }

  @Test
  void orphanPolicyReleasesInsteadOfDeleting() {
    Unikernel uk = Unikernels.local(NS, "keep", artifact, 1);
    uk.getSpec().deletionPolicy = io.dustcloud.api.v1alpha1.UnikernelSpec.DeletionPolicy.Orphan;
    client.resource(uk).create();
    awaitCondition("keep", Conditions.READY, "True");
    client.resources(Unikernel.class).inNamespace(NS).withName("keep").delete();
    await().atMost(Duration.ofSeconds(20)).until(
        () -> client.resources(Unikernel.class).inNamespace(NS).withName("keep").get() == null);
    assertThat(provider.calls).contains("release default/keep").doesNotContain("delete default/keep");
  }

  Unikernel awaitCondition(String name, String type, String status) {
    await().atMost(Duration.ofSeconds(20)).until(() -> {
      Unikernel uk = client.resources(Unikernel.class).inNamespace(NS).withName(name).get();
      var c = uk == null || uk.getStatus() == null ? null : StatusConditions.find(uk.getStatus().conditions, type);
      return c != null && status.equals(c.status);
    });
    return client.resources(Unikernel.class).inNamespace(NS).withName(name).get();
  }

  static io.dustcloud.api.v1alpha1.Condition condition(Unikernel uk, String type) {
    return StatusConditions.find(uk.getStatus().conditions, type);
  }

  List<String> eventReasons(String name) {
    return client.v1().events().inNamespace(NS).list().getItems().stream()
        .filter(e -> name.equals(e.getInvolvedObject().getName()))
        .map(Event::getReason)
        .toList();
  }
}
