package io.dustcloud.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.dustcloud.testing.DevApiOperator;
import io.dustcloud.api.v1alpha1.Unikernel;
import io.dustcloud.api.v1alpha1.UnikernelRevision;
import io.dustcloud.core.Reason;
import io.dustcloud.dev.DevApiServer;
import io.dustcloud.provider.FleetId;
import io.dustcloud.testing.EndToEnd;
import io.dustcloud.testing.TestingFleetProvider;
import io.dustcloud.testing.Unikernels;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The operator meets objects a cluster can hand it although its own CRD would refuse them: the
 * writes that stopped the operator through dev mode (an unknown {@code spec.replicas} as
 * {@code kubectl scale} stored it, an unknown {@code spec.bogusField}, {@code spec.port: "abc"},
 * {@code status.readyReplicas: "many"}), put into the dev API server past admission
 * ({@code DevFaults.admissionBypassed}), as an operator older than its CRD or a CRD installed
 * by someone else would see them. The operator keeps running, ignores unknown fields, reports a
 * wrong type (Event, log line, Stalled) without touching the fleet, keeps reconciling the
 * bystander, and picks the object up again once it is fixed.
 *
 * <p>Each test has its own API server, operator and provider, in a namespace of its own, and
 * one waits for the operator's 30 s resync (a status write wakes no reconcile): the tests run
 * side by side.
 */
@EndToEnd
class InvalidObjectsEndToEndTest {
  /** Every test's namespace: the tests run side by side, and their operators log to one logger. */
  static final java.util.Set<String> NAMESPACES = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private static final java.util.concurrent.atomic.AtomicInteger TESTS = new java.util.concurrent.atomic.AtomicInteger();
  /** This test's namespace (its own API server has it to itself; the name tells its log lines apart). */
  final String ns = "invalid-" + TESTS.incrementAndGet();
  static final Duration WAIT = Duration.ofSeconds(90);
  @TempDir Path dir;
  DevApiOperator env;
  DevApiServer api;
  KubernetesClient client;
  TestingFleetProvider provider;
  Path artifact;
  ListAppender<ILoggingEvent> logs;
  Logger invalidLog;

  @BeforeEach
  void start() throws Exception {
    invalidLog = (Logger) LoggerFactory.getLogger(InvalidObjects.class);
    logs = new ListAppender<>();
    logs.start();
    invalidLog.addAppender(logs);
    // the default informer-stopped handler calls System.exit: a test JVM that vanishes fails too
    env = DevApiOperator.start(dir);
    api = env.api;
    client = env.client;
    provider = env.provider;
    artifact = env.artifact;
    NAMESPACES.add(ns);
    client.namespaces().resource(new io.fabric8.kubernetes.api.model.NamespaceBuilder().withNewMetadata().withName(ns)
        .endMetadata().build()).create();
    client.resource(Unikernels.local(ns, "hello", artifact, 2)).create();
    client.resource(Unikernels.local(ns, "bystander", artifact, 1)).create();
    awaitReady("hello", 2);
    awaitReady("bystander", 1);
    api.faults().admissionBypassed = true;
  }

  @AfterEach
  void stop() {
    invalidLog.detachAppender(logs);
    env.close();
  }

  @Test
  @Execution(ExecutionMode.CONCURRENT)
  void unknownFieldsAreIgnored() throws Exception {
    // what `kubectl scale uk hello --replicas=3` stored, an unknown field, and one real change
    patch("hello", "[{\"op\": \"add\", \"path\": \"/spec/replicas\", \"value\": 3},"
        + " {\"op\": \"add\", \"path\": \"/spec/bogusField\", \"value\": \"x\"},"
        + " {\"op\": \"add\", \"path\": \"/spec/scaling/burst\", \"value\": {\"deep\": [1]}},"
        + " {\"op\": \"replace\", \"path\": \"/spec/scaling/minReplicas\", \"value\": 3}]");

    awaitReady("hello", 3);
    assertThat(rawSpec("hello")).containsEntry("bogusField", "x").containsEntry("replicas", 3);
    scale("bystander", 2);
    awaitReady("bystander", 2);
    assertOperatorRunning();
    assertThat(eventReasons("hello")).doesNotContain(Reason.INVALID_OBJECT.value());
    assertThat(errorLines()).isEmpty();
  }

  @Test
  @Execution(ExecutionMode.CONCURRENT)
  void aWrongTypeInTheSpecStallsThatFleetOnlyUntilItIsFixed() throws Exception {
    FleetId hello = new FleetId(ns, "hello");
    var instances = provider.observe(hello).instances();

    patch("hello", "[{\"op\": \"replace\", \"path\": \"/spec/port\", \"value\": \"abc\"}]");

    Unikernel stalled = awaitCondition("hello", Conditions.STALLED, "True");
    var condition = StatusConditions.find(stalled.getStatus().conditions, Conditions.STALLED);
    assertThat(condition.reason).isEqualTo(Reason.INVALID_OBJECT.value());
    assertThat(condition.message).contains("spec.port: expected an integer, found \"abc\"");
    await().atMost(WAIT).untilAsserted(() -> assertThat(events("hello")).anySatisfy(e -> {
      assertThat(e.getType()).isEqualTo("Warning");
      assertThat(e.getReason()).isEqualTo(Reason.INVALID_OBJECT.value());
      assertThat(e.getMessage()).contains("spec.port");
    }));
    assertThat(rawSpec("hello")).as("the status write kept the spec as stored").containsEntry("port", "abc");

    // the bystander is still reconciled; meanwhile the broken fleet is not touched
    int callsBefore = callsFor(hello);
    scale("bystander", 3);
    awaitReady("bystander", 3);
    assertThat(callsFor(hello)).as("provider calls for the broken fleet").isEqualTo(callsBefore);
    assertThat(provider.observe(hello).instances()).isEqualTo(instances);
    assertOperatorRunning();
    // reconciled again and again meanwhile, reported once for this resourceVersion
    assertThat(errorLines()).singleElement().asString()
        .contains("Unikernel " + ns + "/hello").contains("spec.port: expected an integer, found \"abc\"");

    patch("hello", "[{\"op\": \"replace\", \"path\": \"/spec/port\", \"value\": 8080},"
        + " {\"op\": \"replace\", \"path\": \"/spec/scaling/minReplicas\", \"value\": 3}]");
    awaitReady("hello", 3);
    assertThat(StatusConditions.find(get("hello").getStatus().conditions, Conditions.STALLED).status)
        .isEqualTo("False");
  }

  @Test
  @Execution(ExecutionMode.CONCURRENT)
  void aWrongTypeInTheStatusIsReportedAndReplaced() throws Exception {
    patchStatus("hello", "{\"status\": {\"readyReplicas\": \"many\"}}");

    // not a spec change: found by the next resync
    await().atMost(WAIT).untilAsserted(() -> assertThat(events("hello")).anySatisfy(e -> {
      assertThat(e.getType()).isEqualTo("Warning");
      assertThat(e.getReason()).isEqualTo(Reason.INVALID_OBJECT.value());
      assertThat(e.getMessage()).contains("status.readyReplicas: expected an integer, found \"many\"");
    }));
    await().atMost(WAIT).untilAsserted(() -> assertThat(rawStatus("hello")).containsEntry("readyReplicas", 2));
    awaitReady("hello", 2);
    assertThat(errorLines()).singleElement().asString().contains("status.readyReplicas");
    scale("bystander", 2);
    awaitReady("bystander", 2);
    assertOperatorRunning();
  }

  @Test
  @Execution(ExecutionMode.CONCURRENT)
  void aRevisionWithAWrongTypeStallsItsFleetUntilItIsFixed() throws Exception {
    String revision = get("hello").getStatus().currentRevision;
    var revisions = client.genericKubernetesResources("dustcloud.io/v1alpha1", "UnikernelRevision").inNamespace(ns);
    revisions.withName(revision).patch(PatchContext.of(PatchType.JSON),
        "[{\"op\": \"replace\", \"path\": \"/spec/port\", \"value\": \"x\"},"
            + " {\"op\": \"add\", \"path\": \"/spec/newField\", \"value\": 1}]");
    // a revision change wakes its fleet at once
    Unikernel stalled = awaitCondition("hello", Conditions.STALLED, "True");
    assertThat(StatusConditions.find(stalled.getStatus().conditions, Conditions.STALLED).message)
        .contains("revision " + revision).contains("spec.port: expected an integer, found \"x\"");
    scale("bystander", 2);
    awaitReady("bystander", 2);
    assertOperatorRunning();

    revisions.withName(revision).patch(PatchContext.of(PatchType.JSON),
        "[{\"op\": \"replace\", \"path\": \"/spec/port\", \"value\": 8080}]");
    scale("hello", 3);
    awaitReady("hello", 3);
  }

  @Test
  @Execution(ExecutionMode.CONCURRENT)
  void aRevisionWithAWrongTypeInItsStatusIsReportedAndRecordedAgain() throws Exception {
    String revision = get("hello").getStatus().currentRevision;
    var revisions = client.genericKubernetesResources("dustcloud.io/v1alpha1", "UnikernelRevision").inNamespace(ns);
    revisions.withName(revision).subresource("status").patch(PatchContext.of(PatchType.JSON_MERGE),
        "{\"status\": {\"bootMedianMillis\": \"slow\"}}");

    await().atMost(WAIT).untilAsserted(() -> assertThat(events("hello")).anySatisfy(e -> {
      assertThat(e.getType()).isEqualTo("Warning");
      assertThat(e.getReason()).isEqualTo(Reason.INVALID_OBJECT.value());
      assertThat(e.getMessage()).contains("revision " + revision)
          .contains("status.bootMedianMillis: expected an integer, found \"slow\"");
    }));
    // the operator's own status again: the artifact recorded as before
    await().atMost(WAIT).untilAsserted(() -> {
      UnikernelRevision rev = client.resources(UnikernelRevision.class).inNamespace(ns).withName(revision).get();
      assertThat(rev.readProblems().any()).isFalse();
      assertThat(rev.getStatus().artifact.sha256).isEqualTo(Unikernels.sha256(artifact));
    });
    scale("hello", 3);
    awaitReady("hello", 3);
    assertOperatorRunning();
  }

  @Test
  @Execution(ExecutionMode.CONCURRENT)
  void aUnikernelWithAWrongTypeCanStillBeDeleted() throws Exception {
    patch("hello", "[{\"op\": \"replace\", \"path\": \"/spec/port\", \"value\": \"abc\"}]");
    awaitCondition("hello", Conditions.STALLED, "True");

    client.resources(Unikernel.class).inNamespace(ns).withName("hello").delete();

    await().atMost(WAIT).until(() -> client.resources(Unikernel.class).inNamespace(ns).withName("hello").get() == null);
    assertThat(provider.calls).contains("delete " + ns + "/hello");
    assertThat(provider.observe(new FleetId(ns, "hello")).instances()).isEmpty();
    assertThat(client.resources(UnikernelRevision.class).inNamespace(ns).list().getItems())
        .allSatisfy(r -> assertThat(r.getSpec().unikernel).isEqualTo("bystander"));
  }

  private void patch(String name, String jsonPatch) {
    client.genericKubernetesResources("dustcloud.io/v1alpha1", "Unikernel").inNamespace(ns).withName(name)
        .patch(PatchContext.of(PatchType.JSON), jsonPatch);
  }

  private void patchStatus(String name, String mergePatch) {
    client.genericKubernetesResources("dustcloud.io/v1alpha1", "Unikernel").inNamespace(ns).withName(name)
        .subresource("status").patch(PatchContext.of(PatchType.JSON_MERGE), mergePatch);
  }

  private GenericKubernetesResource raw(String name) {
    return client.genericKubernetesResources("dustcloud.io/v1alpha1", "Unikernel").inNamespace(ns).withName(name).get();
  }

  @SuppressWarnings("unchecked")
  private Map<String, Object> rawSpec(String name) {
    return (Map<String, Object>) raw(name).getAdditionalProperties().get("spec");
  }

  @SuppressWarnings("unchecked")
  private Map<String, Object> rawStatus(String name) {
    return (Map<String, Object>) raw(name).getAdditionalProperties().get("status");
  }

  private Unikernel get(String name) {
    return client.resources(Unikernel.class).inNamespace(ns).withName(name).get();
  }

  private void scale(String name, int replicas) {
    patch(name, "[{\"op\": \"replace\", \"path\": \"/spec/scaling/minReplicas\", \"value\": " + replicas + "}]");
  }

  private void awaitReady(String name, int replicas) {
    await().atMost(WAIT).untilAsserted(() -> {
      Unikernel uk = get(name);
      assertThat(uk.getStatus()).isNotNull();
      assertThat(uk.getStatus().observedGeneration).isEqualTo(uk.getMetadata().getGeneration());
      assertThat(StatusConditions.isTrue(uk.getStatus().conditions, Conditions.READY)).isTrue();
      assertThat(uk.getStatus().readyReplicas).isEqualTo(replicas);
    });
  }

  private Unikernel awaitCondition(String name, String type, String status) {
    await().atMost(WAIT).until(() -> {
      Unikernel uk = get(name);
      var c = uk == null || uk.getStatus() == null ? null : StatusConditions.find(uk.getStatus().conditions, type);
      return c != null && status.equals(c.status);
    });
    return get(name);
  }

  private void assertOperatorRunning() throws Exception {
    assertThat(env.operator.stoppedInformer()).isEmpty();
    HttpResponse<String> ready = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + env.operator.httpPort() + "/readyz")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(ready.statusCode()).isEqualTo(200);
  }

  private int callsFor(FleetId fleet) {
    return (int) provider.calls.stream().filter(c -> c.contains(" " + fleet + " ") || c.endsWith(" " + fleet)).count();
  }

  private List<Event> events(String name) {
    return client.v1().events().inNamespace(ns).list().getItems().stream()
        .filter(e -> name.equals(e.getInvolvedObject().getName())).toList();
  }

  private List<String> eventReasons(String name) {
    return events(name).stream().map(Event::getReason).toList();
  }

  /** The error lines logged since this test started, but those about another test's namespace. */
  private List<String> errorLines() {
    List<ILoggingEvent> all;
    synchronized (logs) { // the appender appends holding its own lock
      all = List.copyOf(logs.list);
    }
    return all.stream().filter(e -> e.getLevel() == Level.ERROR).map(ILoggingEvent::getFormattedMessage)
        .filter(line -> NAMESPACES.stream().filter(other -> !other.equals(ns)).noneMatch(other -> line.contains(other + "/")))
        .toList();
  }
}
