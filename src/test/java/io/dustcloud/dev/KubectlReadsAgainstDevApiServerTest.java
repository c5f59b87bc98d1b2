package io.dustcloud.dev;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dustcloud.testing.EndToEnd;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The real kubectl reading from the dev API server with the shipped CRDs, as a dev-mode user does: apply with
 * kubectl's default validation, explain, get of built-in kinds, and watches.
 */
@EndToEnd
class KubectlReadsAgainstDevApiServerTest {

  @TempDir
  static Path dir;

  private static KubectlFixture fixture;
  private static KubernetesClient client;
  private static Kubectl kubectl;

  @BeforeAll
  static void start() {
    fixture = KubectlFixture.start(dir);
    client = fixture.client;
    kubectl = fixture.kubectl;
  }

  @AfterAll
  static void stop() {
    if (fixture != null) {
      fixture.close();
    }
  }

  @Test
  void applyValidatesWithoutTurningValidationOff() {
    // kubectl's default (--validate=strict) needs the OpenAPI document to say the server validates fields.
    Kubectl.Result result = kubectl.run("apply", "-f", "examples/hello.yaml");
    assertThat(result.exitCode()).as(result.toString()).isZero();
    assertThat(result.stdout()).contains("unikernel.dustcloud.io/hello created");
    assertThat(TestUnikernels.get(client, "hello")).isNotNull();
  }

  @Test
  void applyOfBuiltInKindsValidatesToo() throws Exception {
    Path manifest = Files.writeString(dir.resolve("builtins.yaml"), """
        apiVersion: v1
        kind: Namespace
        metadata:
          name: applied-ns
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: applied-cm
          namespace: default
        data:
          one: "1"
          two: "2"
        ---
        apiVersion: v1
        kind: Secret
        metadata:
          name: applied-secret
          namespace: default
        type: Opaque
        stringData:
          token: t
        """);
    Kubectl.Result result = kubectl.run("apply", "-f", manifest.toString());
    assertThat(result.exitCode()).as(result.toString()).isZero();
    assertThat(result.stdout()).contains("namespace/applied-ns created", "configmap/applied-cm created",
        "secret/applied-secret created");

    assertThat(header(kubectl.ok("get", "ns"))).containsExactly("NAME", "STATUS", "AGE");
    assertThat(row(kubectl.ok("get", "ns"), "applied-ns")).startsWith("applied-ns", "Active");
    assertThat(header(kubectl.ok("get", "cm"))).containsExactly("NAME", "DATA", "AGE");
    assertThat(row(kubectl.ok("get", "cm"), "applied-cm")).startsWith("applied-cm", "2");
    assertThat(header(kubectl.ok("get", "secret"))).containsExactly("NAME", "TYPE", "DATA", "AGE");
    assertThat(row(kubectl.ok("get", "secret"), "applied-secret")).startsWith("applied-secret", "Opaque", "1");
  }

  @Test
  void applyOfAListValidatesToo() throws Exception {
    // kubectl validates a List itself, with the OpenAPI v2 document, before it sends the items.
    Path manifest = Files.writeString(dir.resolve("list.yaml"), """
        apiVersion: v1
        kind: List
        items:
        - apiVersion: v1
          kind: ConfigMap
          metadata:
            name: listed-cm
            namespace: default
          data:
            a: b
        """);
    Kubectl.Result result = kubectl.run("apply", "-f", manifest.toString());
    assertThat(result.exitCode()).as(result.toString()).isZero();
    assertThat(result.stdout()).contains("configmap/listed-cm created");
  }

  @Test
  void explainPrintsTheDescriptionsOfTheCrdSchema() {
    String explained = kubectl.ok("explain", "uk.spec.scaling");
    assertThat(explained).contains("KIND:       Unikernel", "VERSION:    v1alpha1", "FIELD: scaling <Object>",
        "How many instances run.", "maxReplicas", "Most instances the fleet runs.");
  }

  @Test
  void getEventsPrintsTheColumnsOfARealServer() throws Exception {
    GenericKubernetesResource about = createHello("eventful");
    TestUnikernels.recordEvent(client, about, "EventfulThing");

    String table = kubectl.ok("get", "events");
    assertThat(header(table)).containsExactly("LAST", "SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE");
    String row = table.lines().filter(l -> l.contains("EventfulThing")).findFirst().orElseThrow();
    // An event without timestamps of its own is last seen <unknown>, as the real printer has it.
    assertThat(row.split("\\s+", 5)).containsExactly("<unknown>", "Normal", "EventfulThing", "unikernel/eventful",
        "EventfulThing happened");
  }

  @Test
  void getCrdsPrintsWhenTheyWereCreated() {
    assertThat(header(kubectl.ok("get", "crd"))).containsExactly("NAME", "CREATED", "AT");
    assertThat(row(kubectl.ok("get", "crd"), "unikernels.dustcloud.io")[1]).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
  }

  /** Each way of watching stays open and prints a change made well after the watch began. */
  @ParameterizedTest
  @ValueSource(strings = {"-w", "-w -o yaml", "--watch-only"})
  void aWatchStaysOpenAndPrintsLaterChanges(String flags) throws Exception {
    String name = "watched-" + flags.replaceAll("[^a-z]", "");
    createHello(name);
    List<String> args = new java.util.ArrayList<>(List.of("get", "uk", name));
    args.addAll(List.of(flags.split(" ")));
    try (Kubectl.Running watch = kubectl.start(args.toArray(String[]::new))) {
      if (!flags.equals("--watch-only")) {
        await().atMost(Duration.ofSeconds(30)).until(() -> watch.stdout().contains(name));
      }
      // Longer than the old watch lasted (it ended after about a second): the change must come on a stream that
      // has been idle for a while.
      Thread.sleep(3_000);
      assertThat(watch.isAlive()).as("kubectl still watching; stderr: %s", watch.stderr()).isTrue();

      GenericKubernetesResource uk = TestUnikernels.get(client, name);
      uk.setAdditionalProperty("status", TestUnikernels.readyStatus("2", "rev-later"));
      client.resource(uk).updateStatus();

      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(watch.stdout()).contains("rev-later"));
      assertThat(watch.isAlive()).isTrue();
    }
  }

  /** examples/hello.yaml under another name: the shipped CRD's schema wants a complete spec. */
  private static GenericKubernetesResource createHello(String name) throws Exception {
    try (java.io.InputStream manifest = Files.newInputStream(Path.of("examples/hello.yaml"))) {
      GenericKubernetesResource hello = (GenericKubernetesResource) client.load(manifest).items().get(0);
      hello.getMetadata().setName(name);
      return client.resource(hello).create();
    }
  }

  private static String[] header(String table) {
    return table.lines().findFirst().orElseThrow().trim().split("\\s+");
  }

  private static String[] row(String table, String name) {
    return table.lines().filter(l -> l.startsWith(name + " ")).findFirst()
        .orElseThrow(() -> new AssertionError("no row " + name + " in\n" + table)).trim().split("\\s+");
  }
}
