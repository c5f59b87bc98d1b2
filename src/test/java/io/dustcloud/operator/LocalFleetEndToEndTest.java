package io.dustcloud.operator;

import io.dustcloud.testing.EndToEnd;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dustcloud.api.v1alpha1.Unikernel;
import io.dustcloud.api.v1alpha1.UnikernelRevision;
import io.dustcloud.testing.ExampleApp;
import io.dustcloud.testing.LocalOperator;
import io.dustcloud.testing.Unikernels;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end on one machine: the operator, the mock API server in CRUD mode, the local
 * provider and the real example unikernel as processes.
 */
@EndToEnd
class LocalFleetEndToEndTest {
  static final String NS = "default";
  static final Duration WAIT = Duration.ofSeconds(30);
  @TempDir Path dir;
  LocalOperator env;
  KubernetesClient client;

  @BeforeEach
  void start() throws Exception {
    env = LocalOperator.start(dir);
    client = env.client;
  }

  @AfterEach
  void stop() {
    env.close();
  }

  @Test
  void createServeRollDelete() {
    Unikernel created = Unikernels.local(NS, "hello", ExampleApp.BINARY, 2, "--version=v1");
    // the previous revision is kept warm this long after the promotion, then stopped
    created.getSpec().rollout.keepPreviousSeconds = 2;
    client.resource(created).create();

    Unikernel uk = awaitReady("hello", 2);
    assertThat(uk.getStatus().endpoint).startsWith("127.0.0.1:");
    assertThat(ExampleApp.get(uk.getStatus().endpoint, "/")).contains("hello from hello v1");
    assertThat(ExampleApp.instances()).hasSize(2);
    String v1 = uk.getStatus().currentRevision;

    Unikernel change = client.resources(Unikernel.class).inNamespace(NS).withName("hello").get();
    change.getSpec().bootArgs = List.of("--version=v2");
    Unikernels.update(client, change);
    await().atMost(WAIT).untilAsserted(() -> {
      Unikernel now = get("hello");
      assertThat(now.getStatus().currentRevision).isNotEqualTo(v1);
      assertThat(now.getStatus().replicas).isEqualTo(2);
      assertThat(StatusConditions.isTrue(now.getStatus().conditions, Conditions.READY)).isTrue();
    });
    await().atMost(WAIT).untilAsserted(() -> assertThat(ExampleApp.instances()).hasSize(2));
    assertThat(ExampleApp.get(get("hello").getStatus().endpoint, "/")).contains("hello from hello v2");
    assertThat(client.resources(UnikernelRevision.class).inNamespace(NS).list().getItems()).hasSize(2);

    client.resources(Unikernel.class).inNamespace(NS).withName("hello").delete();
    await().atMost(WAIT).until(() -> get("hello") == null);
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(ExampleApp.instances()).isEmpty());
  }

  @Test
  void operatorRestartedMidwayAdoptsInsteadOfDuplicating() throws Exception {
    // slow boots, so the restart happens while instances are still starting
    client.resource(Unikernels.local(NS, "slow", ExampleApp.BINARY, 3, "--start-delay-ms=1500")).create();
    await().atMost(WAIT).untilAsserted(() -> assertThat(ExampleApp.instances()).hasSize(3));
    Set<Long> before = pids();

    env.stopOperator();
    assertThat(pids()).as("stopping the operator leaves instances running").isEqualTo(before);
    env.restartOperator();

    awaitReady("slow", 3);
    assertThat(pids()).as("the restarted operator adopted the same processes").isEqualTo(before);

    client.resources(Unikernel.class).inNamespace(NS).withName("slow").delete();
    await().atMost(WAIT).until(() -> get("slow") == null);
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(ExampleApp.instances()).isEmpty());
  }

  static Set<Long> pids() {
    return ExampleApp.instances().stream().map(ProcessHandle::pid).collect(Collectors.toSet());
  }

  Unikernel get(String name) {
    return env.get(name);
  }


  Unikernel awaitReady(String name, int replicas) {
    return env.awaitReady(name, replicas);
  }

}
