package io.dustcloud.reliability;

import io.dustcloud.testing.DevApiOperator;
import io.dustcloud.testing.EndToEnd;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dustcloud.api.v1alpha1.Unikernel;
import io.dustcloud.dev.DevApiServer;
import io.dustcloud.provider.FleetId;
import io.dustcloud.testing.TestingFleetProvider;
import io.dustcloud.testing.Unikernels;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The API server misbehaves under a running operator: status writes answered 409, the server
 * answering 503, the server gone (connections refused, watches dropped) and back on the same
 * port. The operator recovers without a restart: changes made afterwards are acted upon.
 */
@EndToEnd
class ApiServerFaultsTest {
  static final String NS = "default";
  static final Duration WAIT = Duration.ofSeconds(60);
  @TempDir Path dir;
  DevApiOperator env;
  DevApiServer api;
  KubernetesClient client;
  TestingFleetProvider provider;
  Path artifact;
  long seed;

  @BeforeEach
  void start() throws Exception {
    seed = Long.getLong("faults.seed", System.nanoTime());
    System.out.println("ApiServerFaultsTest seed=" + seed + " (replay with -Dfaults.seed=" + seed + ")");
    env = DevApiOperator.start(dir, server -> server.faults().seed(seed));
    api = env.api;
    client = env.client;
    provider = env.provider;
    artifact = env.artifact;
  }

  @AfterEach
  void stop() {
    env.close();
  }

  @Test
  void halfOfAllStatusWritesConflictingStillConverges() {
    api.faults().statusConflictRate = 0.5;
    for (int i = 0; i < 3; i++) {
      client.resource(Unikernels.local(NS, "c" + i, artifact, 2)).create();
    }
    for (int i = 0; i < 3; i++) {
      awaitConverged("c" + i, 2);
    }
    scale("c0", 4);
    awaitConverged("c0", 4);
    assertThat(api.faults().conflictsInjected()).as("seed %d", seed).isPositive();
  }

  @Test
  void anUnavailableAndThenAbsentApiServerIsSurvivedWithoutARestart() {
    client.resource(Unikernels.local(NS, "a", artifact, 2)).create();
    awaitConverged("a", 2);

    // 503 for every request for a while
    api.faults().unavailable = true;
    CrashHarness.sleepQuietly(4000);
    api.faults().unavailable = false;
    client.resource(Unikernels.local(NS, "b", artifact, 1)).create();
    awaitConverged("b", 1);

    // gone: connections refused, watches dropped; back on the same port with the same objects
    api.stop();
    CrashHarness.sleepQuietly(6000);
    api.restart();
    scale("a", 3);
    client.resource(Unikernels.local(NS, "c", artifact, 2)).create();
    awaitConverged("a", 3);
    awaitConverged("c", 2);
    assertThat(provider.ready(new FleetId(NS, "a"))).hasSize(3);

    client.resources(Unikernel.class).inNamespace(NS).withName("b").delete();
    await().atMost(WAIT).until(() -> client.resources(Unikernel.class).inNamespace(NS).withName("b").get() == null);
    assertThat(provider.observe(new FleetId(NS, "b")).instances()).isEmpty();
  }

  private void scale(String name, int replicas) {
    await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
      Unikernel uk = client.resources(Unikernel.class).inNamespace(NS).withName(name).get();
      uk.getSpec().scaling.minReplicas = replicas;
      client.resource(uk).update();
    });
  }

  private void awaitConverged(String name, int replicas) {
    await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
      Unikernel uk = client.resources(Unikernel.class).inNamespace(NS).withName(name).get();
      assertThat(CrashHarness.check(uk, replicas, null, null, replicas)).as("%s, seed %d", name, seed).isNull();
    });
  }
}
