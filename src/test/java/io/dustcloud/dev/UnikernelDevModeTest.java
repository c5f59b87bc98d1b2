package io.dustcloud.dev;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.dustcloud.testing.EndToEnd;
import io.dustcloud.testing.ExampleApp;
import io.dustcloud.testing.ExampleUnikernel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * examples/unikernel.yaml as a user runs it: `make manifest`, dev mode, the real kubectl, the
 * unikernel as QEMU guests. The operator's handling of it (rollout under load, a killed guest,
 * nothing left after delete) is UnikernelOperatorTest's.
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
  void applyServeDelete() {
    assertThat(kubectl.ok("apply", "-f", built.manifest().toString())).contains("unikernel.dustcloud.io/unikernel created");
    assertThat(kubectl.run(90, "wait", "--for=condition=Ready", "uk/unikernel", "--timeout=60s").exitCode()).isZero();
    String endpoint = kubectl.ok("get", "uk", "unikernel", "-o", "jsonpath={.status.endpoint}");
    assertThat(ExampleApp.get(endpoint, "/")).isEqualTo("hello from unikernel v1\n");
    assertThat(kubectl.ok("get", "uk", "unikernel", "-o", "jsonpath={.status.readyReplicas}")).isEqualTo("2");

    assertThat(kubectl.run(60, "delete", "uk", "unikernel").exitCode()).isZero();
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(ProcessHandle.current().descendants()
        .filter(p -> p.info().command().map(c -> c.endsWith("qemu-system-x86_64")).orElse(false)).count()).isZero());
  }
}
