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
  void aGceUnikernelGetsAGroupAndALoadBalancerBecomesReadyServesThenDeleteRemovesEverything() throws Exception {
    client.resource(Unikernels.gce(NS, "hello", GceTesting.PROJECT, GceTesting.ZONE, 2)).create();

    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      Unikernel uk = client.resources(Unikernel.class).inNamespace(NS).withName("hello").get();
      assertThat(uk.getStatus()).isNotNull();
      assertThat(StatusConditions.isTrue(uk.getStatus().conditions, Conditions.READY)).isTrue();
      assertThat(uk.getStatus().readyReplicas).isEqualTo(2);
    });
    // status.endpoint is the forwarding rule's reserved address; the fake's load balancer forwards there
    Unikernel ready = client.resources(Unikernel.class).inNamespace(NS).withName("hello").get();
    String endpoint = ready.getStatus().endpoint;
    assertThat(endpoint).isEqualTo(fake.addresses().values().iterator().next().path("address").asText() + ":8080");
    for (int i = 0; i < 10; i++) { // a connection each: the load balancer balances connections
      try (io.dustcloud.testing.gce.KeepAliveClient c = io.dustcloud.testing.gce.KeepAliveClient.of(endpoint)) {
        assertThat(c.get("/").status()).isEqualTo(200);
      }
    }
    assertThat(fake.lbStats().requestsByBackend()).as("both instances serve").hasSize(2);
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
    assertThat(fake.forwardingRules()).isEmpty();
    assertThat(fake.backendServices()).isEmpty();
    assertThat(fake.addresses()).isEmpty();
    assertThat(fake.healthChecks()).isEmpty();
    assertThat(fake.firewalls()).isEmpty();
  }

  /** A prerequisite refused (a missing permission, an org policy): Stalled, in GCE's own words, and an Event. */
  @Test
  void aRefusedFirewallRuleStallsTheFleetWithGcesOwnMessage() {
    fake.faults.failNext("firewalls.insert", 1000, io.dustcloud.testing.gce.FakeFaults.Kind.PERMISSION_DENIED);
    client.resource(Unikernels.gce(NS, "walled", GceTesting.PROJECT, GceTesting.ZONE, 1)).create();

    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      Unikernel uk = client.resources(Unikernel.class).inNamespace(NS).withName("walled").get();
      assertThat(uk.getStatus()).isNotNull();
      var stalled = StatusConditions.find(uk.getStatus().conditions, Conditions.STALLED);
      assertThat(stalled).isNotNull();
      assertThat(stalled.status).isEqualTo("True");
      assertThat(stalled.reason).isEqualTo("GceForbidden");
      assertThat(stalled.message).contains("firewalls.insert").contains("Required 'compute.firewalls.create' permission");
    });
    assertThat(client.v1().events().inNamespace(NS).list().getItems())
        .anySatisfy(e -> assertThat(e.getMessage()).contains("compute.firewalls.create"));
    assertThat(fake.groupKeys()).as("nothing is made after the refused prerequisite").isEmpty();

    // the permission granted: the next attempt goes through (the stall is not the end)
    fake.faults.clear();
    Unikernel edit = client.resources(Unikernel.class).inNamespace(NS).withName("walled").get();
    edit.getSpec().healthCheck.timeoutSeconds = 2;
    Unikernels.update(client, edit);
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(StatusConditions.isTrue(
        client.resources(Unikernel.class).inNamespace(NS).withName("walled").get().getStatus().conditions,
        Conditions.READY)).isTrue());
  }

  /** Out of quota: what an SRE reads is GCE's quota message, as Degraded and a Warning Event — never a hung boot. */
  @Test
  void instancesGceCannotCreateShowAsQuotaExceededAndRecoverWhenTheQuotaDoes() {
    String quota = "Quota 'CPUS' exceeded.  Limit: 8.0 in region europe-west1.";
    fake.failCreations("QUOTA_EXCEEDED", quota);
    client.resource(Unikernels.gce(NS, "starved", GceTesting.PROJECT, GceTesting.ZONE, 2)).create();

    await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
      Unikernel uk = client.resources(Unikernel.class).inNamespace(NS).withName("starved").get();
      var degraded = StatusConditions.find(uk.getStatus().conditions, Conditions.DEGRADED);
      assertThat(degraded).isNotNull();
      assertThat(degraded.reason).isEqualTo("QuotaExceeded");
      assertThat(degraded.message).contains("2 instance(s) cannot be created; QUOTA_EXCEEDED: " + quota);
      assertThat(StatusConditions.isTrue(uk.getStatus().conditions, Conditions.READY)).isFalse();
    });
    assertThat(client.v1().events().inNamespace(NS).list().getItems())
        .anySatisfy(e -> {
          assertThat(e.getReason()).isEqualTo("QuotaExceeded");
          assertThat(e.getType()).isEqualTo("Warning");
          assertThat(e.getMessage()).contains(quota);
        })
        .noneSatisfy(e -> assertThat(e.getMessage()).containsIgnoringCase("hung"));

    fake.allowCreations();
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      Unikernel uk = client.resources(Unikernel.class).inNamespace(NS).withName("starved").get();
      assertThat(StatusConditions.isTrue(uk.getStatus().conditions, Conditions.READY)).isTrue();
      assertThat(StatusConditions.find(uk.getStatus().conditions, Conditions.DEGRADED).status).isEqualTo("False");
    });
  }

  /** A tarball without disk.raw: Stalled, ImageImportFailed, GCE's message, and an Event. */
  @Test
  void aFailedImageImportStallsInGcesWords() {
    Unikernel uk = Unikernels.gce(NS, "badimage", GceTesting.PROJECT, GceTesting.ZONE, 1);
    fake.badImageSources.add(io.dustcloud.provider.gce.GceResources.httpsUrl(uk.getSpec().image.url));
    client.resource(uk).create();

    await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
      Unikernel now = client.resources(Unikernel.class).inNamespace(NS).withName("badimage").get();
      var stalled = StatusConditions.find(now.getStatus().conditions, Conditions.STALLED);
      assertThat(stalled).isNotNull();
      assertThat(stalled.status).isEqualTo("True");
      assertThat(stalled.reason).isEqualTo("ImageImportFailed");
      assertThat(stalled.message).contains("INVALID_FIELD_VALUE").contains("disk.raw").contains(uk.getSpec().image.url);
    });
    assertThat(client.v1().events().inNamespace(NS).list().getItems())
        .anySatisfy(e -> assertThat(e.getReason()).isEqualTo("ImageImportFailed"));
  }
}
