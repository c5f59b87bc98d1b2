package io.dustcloud.dev;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real kubectl against the dev API server, for the commands a dev-mode user runs. */
class KubectlAgainstDevApiServerTest {

  @TempDir
  static Path dir;

  private static DevApiServer server;
  private static KubernetesClient client;
  private static Kubectl kubectl;

  @BeforeAll
  static void start() {
    assumeTrue(Kubectl.onPath(), "kubectl is not on PATH");
    server = TestUnikernels.startServerWithCrd();
    client = server.client();
    kubectl = new Kubectl(server.writeKubeconfig(dir.resolve("kubeconfig")), dir);
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void applyCreatesAndThenUpdates() throws Exception {
    Path manifest = manifest("applied", "hello:1", "  replicas: 2");
    assertThat(kubectl.ok("apply", "-f", manifest.toString())).contains("created");
    assertThat(spec("applied")).containsEntry("image", "hello:1").containsEntry("replicas", 2);

    // The update drops replicas: kubectl's merge patch sends "replicas": null, which must remove it.
    manifest = manifest("applied", "hello:2");
    assertThat(kubectl.ok("apply", "-f", manifest.toString())).contains("configured");
    assertThat(spec("applied")).containsEntry("image", "hello:2").doesNotContainKey("replicas");
  }

  @Test
  void serverSideApplyCreatesAndThenUpdates() throws Exception {
    Path manifest = manifest("ssa", "hello:1");
    assertThat(kubectl.ok("apply", "--server-side", "-f", manifest.toString()))
        .contains("serverside-applied");
    assertThat(TestUnikernels.get(client, "ssa")).isNotNull();

    manifest = manifest("ssa", "hello:3");
    kubectl.ok("apply", "--server-side", "-f", manifest.toString());
    assertThat(spec("ssa")).containsEntry("image", "hello:3");
  }

  @Test
  void getPrintsTheCrdPrinterColumns() {
    GenericKubernetesResource uk = TestUnikernels.create(client, "printed", "hello:1");
    uk.setAdditionalProperty("status", TestUnikernels.readyStatus("3", "rev-7"));
    client.resource(uk).updateStatus();

    List<String> lines = kubectl.ok("get", "uk").lines().toList();
    assertThat(lines.get(0).split("\\s+")).containsExactly("NAME", "READY", "REPLICAS", "REVISION", "AGE");
    String[] cells = lines.stream().filter(l -> l.startsWith("printed ")).findFirst().orElseThrow().split("\\s+");
    // Ready comes from the Ready condition, not the first one; the age is rendered by the server, e.g. "0s".
    assertThat(cells).hasSize(5);
    assertThat(Arrays.copyOf(cells, 4)).containsExactly("printed", "True", "3", "rev-7");
    assertThat(cells[4]).matches("\\d+s");

    List<String> single = kubectl.ok("get", "uk", "printed").lines().toList();
    assertThat(single).hasSize(2);
    assertThat(single.get(1)).startsWith("printed ").contains("rev-7");
  }

  @Test
  void getAsYamlShowsTheObject() {
    TestUnikernels.create(client, "as-yaml", "hello:yaml");
    String yaml = kubectl.ok("get", "uk", "as-yaml", "-o", "yaml");
    assertThat(yaml).contains("kind: Unikernel", "name: as-yaml", "image: hello:yaml");
  }

  @Test
  void describeShowsTheObjectsEventsOnly() {
    TestUnikernels.createWithEvent(client, "described", "MineScaled");
    TestUnikernels.createWithEvent(client, "other", "OtherScaled");

    String description = kubectl.ok("describe", "uk", "described");
    assertThat(description).contains("Name:         described", "MineScaled").doesNotContain("OtherScaled");
  }

  @Test
  void deleteWaitsUntilTheFinalizerIsRemoved() {
    TestUnikernels.create(client, "finalized", "hello:1", "dustcloud.io/cleanup");
    java.util.concurrent.atomic.AtomicBoolean removing = new java.util.concurrent.atomic.AtomicBoolean();
    CompletableFuture<Void> finalizerRemoval = CompletableFuture.runAsync(() -> {
      // Stand-in for the operator: notice the deletion, clean up, then drop the finalizer. The
      // clean-up takes 2 s so that a kubectl that did not wait would be back long before it.
      await(() -> TestUnikernels.get(client, "finalized").getMetadata().getDeletionTimestamp() != null);
      sleep(2_000);
      removing.set(true);
      client.resource(TestUnikernels.get(client, "finalized")).edit(r -> {
        r.getMetadata().setFinalizers(List.of());
        return r;
      });
    });

    Kubectl.Result result = kubectl.run(20, "delete", "uk", "finalized");
    boolean removingWhenKubectlReturned = removing.get();

    // kubectl gave up neither waiting (exit 0, not "timed out waiting") nor early: it returned
    // once the finalizer was being removed, and the object is gone
    assertThat(result.exitCode()).as(result.toString()).isZero();
    assertThat(result.stdout()).contains("deleted");
    assertThat(removingWhenKubectlReturned).as("kubectl returned after the finalizer's removal began").isTrue();
    assertThat(finalizerRemoval).succeedsWithin(Duration.ofSeconds(30));
    assertThat(TestUnikernels.get(client, "finalized")).isNull();
  }

  private static Map<String, Object> spec(String name) {
    return TestUnikernels.section(TestUnikernels.get(client, name), "spec");
  }

  private static Path manifest(String name, String image, String... extraSpecLines) throws Exception {
    return Files.writeString(dir.resolve(name + "-" + image.replace(':', '-') + ".yaml"), """
        apiVersion: dustcloud.io/v1alpha1
        kind: Unikernel
        metadata:
          name: %s
        spec:
          image: %s
        %s
        """.formatted(name, image, String.join("\n", extraSpecLines)));
  }

  private static void await(java.util.function.BooleanSupplier condition) {
    org.awaitility.Awaitility.await().atMost(30, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(50))
        .until(condition::getAsBoolean);
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
