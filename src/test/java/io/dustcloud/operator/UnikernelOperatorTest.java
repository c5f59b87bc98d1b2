package io.dustcloud.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dustcloud.api.v1alpha1.Unikernel;
import io.dustcloud.testing.EndToEnd;
import io.dustcloud.testing.ExampleApp;
import io.dustcloud.testing.ExampleUnikernel;
import io.dustcloud.testing.LocalOperator;
import io.dustcloud.testing.Rollouts;
import io.dustcloud.testing.SteadyLoad;
import io.dustcloud.testing.HttpLoad;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * examples/unikernel.yaml through the operator, on the qemu runtime (TCG): the real unikernel of
 * examples/unikernel as QEMU guests. Apply, Ready, serve, roll v1 to v2 under load without a failed
 * request, a killed guest replaced, delete, and nothing of it left: no QEMU, no file.
 */
@EndToEnd
class UnikernelOperatorTest {
  private static final String NS = "default";
  private static final Duration WAIT = Duration.ofSeconds(60);
  @TempDir Path dir;
  private LocalOperator env;

  @BeforeEach
  void start() throws Exception {
    env = LocalOperator.start(dir);
  }

  @AfterEach
  void stop() {
    env.close();
  }

  @Test
  void theExampleManifestRunsServesRollsHealsAndLeavesNothingBehind() throws Exception {
    ExampleUnikernel.Built built = ExampleUnikernel.shared();
    Unikernel uk = env.client.resources(Unikernel.class).load(built.manifest().toFile()).item();
    assertThat(uk.getSpec().image.url).isEqualTo(built.kernel().toRealPath().toString());
    // the example checks health every 2 s; the test need not wait that long between steps
    uk.getSpec().healthCheck.periodSeconds = 1;
    uk.getSpec().rollout.keepPreviousSeconds = 1;
    env.client.resource(uk).create();

    Unikernel ready = awaitReady();
    assertThat(ExampleApp.get(ready.getStatus().endpoint, "/")).isEqualTo("hello from unikernel v1\n");
    assertThat(qemus()).hasSize(2);

    Rollouts rollouts = new Rollouts(env.client, NS, "unikernel", WAIT);
    String v1 = rollouts.awaitPromoted(null);
    // a connection per request, and keep-alive clients that hold theirs as long as the guest keeps it
    try (SteadyLoad load = new SteadyLoad(ready.getStatus().endpoint, 2);
        HttpLoad kept = new HttpLoad(ready.getStatus().endpoint, 4, "/", true)) {
      rollouts.setBootArgs("--port={port}", "--version=v2");
      rollouts.awaitPromoted(v1);
      await().atMost(WAIT).untilAsserted(() -> assertThat(load.answers).containsKey("hello from unikernel v2"));
      await().atMost(WAIT).untilAsserted(() -> assertThat(kept.answers).containsKey("hello from unikernel v2"));
      assertThat(load.failed.get()).as("failed requests in the v1 -> v2 rollout; last: %s", load.lastFailure()).isZero();
      assertThat(load.total.get()).isPositive();
      assertThat(kept.failed.get()).as("failed keep-alive requests in the v1 -> v2 rollout; last: %s",
          kept.lastFailure()).isZero();
      assertThat(kept.total.get()).isPositive();
    }
    await().atMost(WAIT).untilAsserted(() -> assertThat(qemus()).hasSize(2));

    // a guest killed from outside is replaced by a new one
    Set<Long> before = pids();
    ProcessHandle victim = qemus().get(0);
    victim.destroyForcibly();
    victim.onExit().join();
    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(qemus()).hasSize(2);
      assertThat(pids()).doesNotContain(victim.pid()).isNotEqualTo(before);
    });
    awaitReady();
    assertThat(ExampleApp.get(env.get("unikernel").getStatus().endpoint, "/")).isEqualTo("hello from unikernel v2\n");

    Set<String> instanceIds = instanceLogs();
    assertThat(instanceIds).isNotEmpty();
    env.client.resources(Unikernel.class).inNamespace(NS).withName("unikernel").delete();
    await().atMost(WAIT).until(() -> env.get("unikernel") == null);
    await().atMost(WAIT).untilAsserted(() -> assertThat(qemus()).isEmpty());
    await().atMost(WAIT).untilAsserted(() -> assertThat(filesOf(instanceIds)).isEmpty());
  }

  private Unikernel awaitReady() {
    return env.awaitReady("unikernel", 2);
  }

  private static List<ProcessHandle> qemus() {
    return ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)
        .filter(p -> p.info().command().map(c -> c.endsWith("qemu-system-x86_64")).orElse(false))
        .toList();
  }

  private static Set<Long> pids() {
    return qemus().stream().map(ProcessHandle::pid).collect(Collectors.toSet());
  }

  /** The ids of the instances that ever ran, from their logs. */
  private Set<String> instanceLogs() throws IOException {
    try (Stream<Path> files = Files.walk(dir.resolve("local"))) {
      return files.map(f -> f.getFileName().toString()).filter(n -> n.startsWith("unikernel-") && n.endsWith(".log"))
          .map(n -> n.substring(0, n.length() - 4)).collect(Collectors.toSet());
    }
  }

  /** Files anywhere under the provider's state directory that name one of {@code ids} or the fleet. */
  private List<Path> filesOf(Set<String> ids) throws IOException {
    try (Stream<Path> files = Files.walk(dir.resolve("local"))) {
      return files.filter(Files::isRegularFile).filter(f -> {
        String n = f.getFileName().toString();
        return n.startsWith("default.unikernel") || ids.stream().anyMatch(n::contains);
      }).toList();
    }
  }
}
