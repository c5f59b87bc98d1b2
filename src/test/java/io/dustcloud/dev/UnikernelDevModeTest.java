package io.dustcloud.dev;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.dustcloud.testing.EndToEnd;
import io.dustcloud.testing.ExampleApp;
import io.dustcloud.testing.ExampleUnikernel;
import java.nio.file.Path;
import java.time.Duration;
import io.dustcloud.testing.HttpLoad;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * examples/unikernel.yaml as a user runs it: `make manifest`, dev mode, the real kubectl, the
 * unikernel as QEMU guests: apply, Ready, curl the endpoint, roll v1 to v2 with kubectl under
 * keep-alive load without a failed request, a guest killed from outside replaced, delete, and
 * nothing of it left (no QEMU, no file under the state directory).
 */
@EndToEnd
class UnikernelDevModeTest {
  @TempDir Path dir;
  private DevMode dev;
  private Kubectl kubectl;
  private ExampleUnikernel.Built built;

  @BeforeEach
  void start() throws Exception {
    assumeTrue(Kubectl.onPath(), "kubectl is not on PATH");
    built = ExampleUnikernel.shared();
    // the manifest names the kernel where make left it: a directory dev mode must be told to trust
    dev = new DevMode(new DevMode.Options(0, dir.resolve("kubeconfig"), dir.resolve("state"), 0,
        List.of(built.kernel().getParent().toRealPath())));
    kubectl = new Kubectl(dev.kubeconfig(), dir);
  }

  @AfterEach
  void stop() {
    if (dev != null) {
      dev.close();
    }
    ExampleApp.killDescendants();
  }

  @Test
  void applyServeRollHealDelete() throws Exception {
    assertThat(kubectl.ok("apply", "-f", built.manifest().toString())).contains("unikernel.dustcloud.io/unikernel created");
    assertThat(kubectl.run(90, "wait", "--for=condition=Ready", "uk/unikernel", "--timeout=60s").exitCode()).isZero();
    String endpoint = kubectl.ok("get", "uk", "unikernel", "-o", "jsonpath={.status.endpoint}");
    assertThat(ExampleApp.get(endpoint, "/")).isEqualTo("hello from unikernel v1\n");
    assertThat(kubectl.ok("get", "uk", "unikernel", "-o", "jsonpath={.status.readyReplicas}")).isEqualTo("2");
    String v1 = kubectl.ok("get", "uk", "unikernel", "-o", "jsonpath={.status.currentRevision}");

    // v1 -> v2 with kubectl while keep-alive clients hold their connections
    try (HttpLoad load = new HttpLoad(endpoint, 4, "/", true)) {
      assertThat(kubectl.ok("patch", "uk", "unikernel", "--type", "merge",
          "-p", "{\"spec\":{\"bootArgs\":[\"--port={port}\",\"--version=v2\"]}}")).contains("patched");
      await().atMost(Duration.ofSeconds(120)).untilAsserted(() -> {
        String current = kubectl.ok("get", "uk", "unikernel", "-o", "jsonpath={.status.currentRevision}");
        assertThat(current).isNotEqualTo(v1);
        assertThat(kubectl.ok("get", "uk", "unikernel", "-o", "jsonpath={.status.updatedReplicas}")).isEqualTo("2");
        assertThat(load.answers).containsKey("hello from unikernel v2");
      });
      assertThat(load.failed.get()).as("failed keep-alive requests in the rollout; last: %s", load.lastFailure())
          .isZero();
      assertThat(load.total.get()).isPositive();
    }

    // a serving guest (of v2, not one of v1's kept warm for a rollback) killed from outside is replaced
    String v2 = kubectl.ok("get", "uk", "unikernel", "-o", "jsonpath={.status.currentRevision}");
    assertThat(qemusOf(v2)).hasSize(2);
    ProcessHandle victim = qemusOf(v2).get(0);
    victim.destroyForcibly();
    victim.onExit().join();
    await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
      assertThat(qemusOf(v2)).hasSize(2).noneMatch(p -> p.pid() == victim.pid());
      assertThat(kubectl.ok("get", "uk", "unikernel", "-o", "jsonpath={.status.readyReplicas}")).isEqualTo("2");
    });
    // a new connection: one the shared client opened before the promotion may still be carried to a
    // v1 instance kept warm (the endpoint moves connections, not requests: docs/rollouts.md)
    assertThat(freshGet(endpoint)).isEqualTo("hello from unikernel v2\n");

    assertThat(kubectl.run(60, "delete", "uk", "unikernel").exitCode()).isZero();
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(qemus()).isEmpty());
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      try (var files = java.nio.file.Files.walk(dir.resolve("state"))) {
        assertThat(files.filter(java.nio.file.Files::isRegularFile)
            .filter(f -> f.toString().contains("unikernel")).toList())
            .as("nothing of the fleet under the state directory").isEmpty();
      }
    });
  }

  private static String freshGet(String endpoint) throws Exception {
    try (java.net.Socket socket = new java.net.Socket()) {
      String host = endpoint.substring(0, endpoint.lastIndexOf(':'));
      int port = Integer.parseInt(endpoint.substring(endpoint.lastIndexOf(':') + 1));
      socket.connect(new java.net.InetSocketAddress(host, port), 5000);
      socket.setSoTimeout(5000);
      socket.getOutputStream().write(("GET / HTTP/1.1\r\nHost: " + endpoint + "\r\nConnection: close\r\n\r\n")
          .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      String answer = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      return answer.substring(answer.indexOf("\r\n\r\n") + 4);
    }
  }

  /** The QEMU guests of one revision: each is named for its instance, which names the revision. */
  private static java.util.List<ProcessHandle> qemusOf(String revision) {
    return qemus().stream().filter(p -> p.info().arguments()
        .map(args -> java.util.Arrays.asList(args).stream().anyMatch(a -> a.startsWith(revision + "-")))
        .orElse(false)).toList();
  }

  private static java.util.List<ProcessHandle> qemus() {
    return ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)
        .filter(p -> p.info().command().map(c -> c.endsWith("qemu-system-x86_64")).orElse(false)).toList();
  }
}
