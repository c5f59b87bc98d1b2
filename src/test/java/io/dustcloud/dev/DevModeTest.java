package io.dustcloud.dev;

import io.dustcloud.testing.EndToEnd;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.dustcloud.testing.ExampleApp;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's tour, as a test: dev mode, the real kubectl, the example manifest, the real
 * example unikernel built from source.
 */
@EndToEnd
class DevModeTest {
  @TempDir Path dir;
  DevMode dev;
  Kubectl kubectl;

  @BeforeEach
  void start() throws Exception {
    assumeTrue(Kubectl.onPath(), "kubectl is not on PATH");
    dev = new DevMode(new DevMode.Options(0, dir.resolve("kubeconfig"), dir.resolve("state"), 0));
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
  void tourFromApplyToDelete() {
    assertThat(kubectl.ok("apply", "-f", "examples/hello.yaml")).contains("unikernel.dustcloud.io/hello created");
    assertThat(kubectl.run(90, "wait", "--for=condition=Ready", "uk/hello", "--timeout=60s").exitCode()).isZero();

    String table = kubectl.ok("get", "uk");
    assertThat(table.lines().findFirst().orElseThrow()).containsSubsequence("NAME", "READY", "REPLICAS", "REVISION", "AGE");
    assertThat(table).contains("hello").contains("True").contains("2/2");

    String endpoint = kubectl.ok("get", "uk", "hello", "-o", "jsonpath={.status.endpoint}");
    assertThat(ExampleApp.get(endpoint, "/")).contains("hello from hello v1");
    assertThat(kubectl.ok("get", "ukrev")).contains("hello-");
    // events are written in the background: FleetReady may land just after the condition
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
        assertThat(kubectl.ok("describe", "uk", "hello")).contains("RevisionCreated", "FleetReady"));
    String types = kubectl.ok("get", "uk", "hello", "-o", "jsonpath={.status.conditions[*].type}");
    assertThat(types.split(" ")).as("one condition per type").doesNotHaveDuplicates()
        .contains("Ready", "Reconciling", "Stalled", "Available");
    assertThat(ExampleApp.instances()).hasSize(2);

    assertThat(kubectl.run(60, "delete", "uk", "hello").exitCode()).isZero();
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(ExampleApp.instances()).isEmpty());
    assertThat(kubectl.run("get", "uk", "hello").stderr()).contains("NotFound");
  }

  @Test
  void invalidManifestIsRefusedLikeAnApiServerWould() {
    Kubectl.Result result = kubectl.run("apply", "-f", "src/test/resources/bad-input/05-port-too-large.yaml");
    assertThat(result.exitCode()).isNotZero();
    assertThat(result.stderr()).contains(
        "The Unikernel \"05-port-too-large\" is invalid: spec.port: Invalid value: 70000:"
            + " spec.port in body should be less than or equal to 65535");
    result = kubectl.run("apply", "-f", "src/test/resources/bad-input/01-image-and-build.yaml");
    assertThat(result.stderr()).contains("exactly one of spec.image or spec.build must be set");
    assertThat(kubectl.ok("get", "uk", "-o", "name")).isBlank();
  }
}
