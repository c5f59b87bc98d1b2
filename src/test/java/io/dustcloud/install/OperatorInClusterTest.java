package io.dustcloud.install;

import io.dustcloud.testing.EndToEnd;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dustcloud.api.v1alpha1.Unikernel;
import io.dustcloud.operator.Conditions;
import io.dustcloud.wiring.DustcloudOperator;
import io.dustcloud.operator.OperatorConfig;
import io.dustcloud.binding.Bindings;
import io.dustcloud.operator.StatusConditions;
import io.dustcloud.provider.DesiredFleet;
import io.dustcloud.provider.FleetId;
import io.dustcloud.provider.FleetObservation;
import io.dustcloud.provider.FleetProvider;
import io.dustcloud.provider.ProviderException;
import io.dustcloud.testing.MockApiServer;
import io.dustcloud.testing.TestingFleetProvider;
import io.dustcloud.testing.Unikernels;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.slf4j.LoggerFactory;

/**
 * The operator as the chart runs it (JSON logs) against the mock API server, through one Unikernel's life: a provider hiccup, Ready, a spec change, delete.
 * Then: every API call it made is allowed by the chart's RBAC; /metrics exposes the provider
 * metrics and every metric the Grafana dashboard queries; JSON log lines name the resource
 * and never contain the credentials. Leader election stays off: the mock server cannot answer
 * JOSDK's SelfSubjectRulesReview, so the Lease rules come from reading JOSDK and fabric8's
 * LeaseLock (docs/rbac.md).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@EndToEnd
class OperatorInClusterTest {
  static final String NS = "apps";
  static final String OPERATOR_NS = "dustcloud-system";
  static final String AGENT = "dustcloud-operator-under-test";
  static final String SECRET = "ya29.TOKEN-THAT-MUST-NEVER-BE-LOGGED";
  /** JOSDK registers these on the first failed reconcile only. */
  static final Set<String> JOSDK_ON_FAILURE =
      Set.of("operator_sdk_reconciliations_failed_total", "operator_sdk_controllers_execution_reconcile_failure_total");

  MockApiServer api;
  DustcloudOperator operator;
  KubernetesClient operatorClient;
  final List<RecordedRequest> operatorRequests = new ArrayList<>();
  String metrics;
  String logs;

  @BeforeAll
  void runALifecycle(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
    Path credentials = Files.writeString(dir.resolve("key.json"), "{\"private_key\": \"" + SECRET + "\"}");
    System.setProperty("GOOGLE_APPLICATION_CREDENTIALS", credentials.toString());
    PrintStream stdout = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    configureLogback("logback-json.xml", null);
    try {
      api = new MockApiServer();
      KubernetesClient client = api.client();
      operatorClient = new KubernetesClientBuilder()
          .withConfig(new ConfigBuilder(client.getConfiguration()).withUserAgent(AGENT).build()).build();
      Path artifact = Files.writeString(dir.resolve("hello.bin"), "#!/bin/sh\necho hello\n");
      var config = new OperatorConfig(dir.resolve("state"), 0, Set.of(), false, OPERATOR_NS, true,
          Duration.ofMillis(200), Duration.ofMinutes(1)).trusting(java.util.List.of(dir));
      operator = new DustcloudOperator(operatorClient, config,
          Bindings.of(new FailsOnce(new TestingFleetProvider("local"))), Clock.systemUTC()).start();

      client.resource(Unikernels.local(NS, "hello", artifact, 2)).create();
      String first = awaitReady(client, null);
      Unikernel uk = client.resources(Unikernel.class).inNamespace(NS).withName("hello").get();
      uk.getSpec().bootArgs = List.of("--version=v2");
      Unikernels.update(client, uk);
      awaitReady(client, first);
      metrics = scrape();
      client.resources(Unikernel.class).inNamespace(NS).withName("hello").delete();
      await().atMost(Duration.ofSeconds(20))
          .until(() -> client.resources(Unikernel.class).inNamespace(NS).withName("hello").get() == null);
      // a repeat of an event is counted up in the Event already written (a patch): the
      // lifecycle above may repeat none within seconds, so repeat one through the recorder
      try (var recorder = new io.dustcloud.operator.EventRecorder(operatorClient, Clock.systemUTC())) {
        recorder.warning(uk, io.dustcloud.core.Reason.INSTANCE_REPAIRED, "replaced i-1: stopped answering");
        recorder.warning(uk, io.dustcloud.core.Reason.INSTANCE_REPAIRED, "replaced i-1: stopped answering");
      }
    } finally {
      logs = captured.toString(StandardCharsets.UTF_8);
      System.setOut(stdout);
    }
    RecordedRequest r;
    while ((r = api.server().takeRequest(10, TimeUnit.MILLISECONDS)) != null) {
      if (AGENT.equals(r.getHeader("User-Agent"))) {
        operatorRequests.add(r);
      }
    }
  }

  @AfterAll
  void stop() throws Exception {
    if (operator != null) {
      operator.close();
    }
    if (operatorClient != null) {
      operatorClient.close();
    }
    if (api != null) {
      api.close();
    }
    System.clearProperty("GOOGLE_APPLICATION_CREDENTIALS");
    configureLogback("logback-test.xml", null);
  }

  @Test
  void everyApiCallIsAllowedByTheChartRbac() {
    var docs = Charts.documents(Charts.render(""));
    TreeSet<String> watched = Charts.grants(Charts.one(docs, "ClusterRole", ClusterRole.class).getRules());
    TreeSet<String> release = Charts.grants(Charts.one(docs, "Role", Role.class).getRules());
    TreeSet<String> calls = new TreeSet<>();
    List<String> denied = new ArrayList<>();
    for (RecordedRequest r : operatorRequests) {
      ApiCall call = ApiCall.of(r.getMethod(), r.getPath());
      calls.add(call.toString());
      boolean allowed;
      if (call.group().equals("authorization.k8s.io") && call.resource().equals("selfsubjectrulesreviews")) {
        allowed = call.verb().equals("create"); // system:basic-user grants it to every authenticated subject
      } else if (OPERATOR_NS.equals(call.namespace()) && call.group().equals("coordination.k8s.io")) {
        allowed = call.allowedBy(release);
      } else {
        allowed = call.allowedBy(watched);
      }
      if (!allowed) {
        denied.add(call + "  (" + r.getMethod() + " " + r.getPath() + ")");
      }
    }
    assertThat(calls).as("the lifecycle exercised the operator's main API calls")
        .contains("dustcloud.io/unikernels watch", "dustcloud.io/unikernels/status update",
            "dustcloud.io/unikernelrevisions create", "dustcloud.io/unikernelrevisions/status update",
            "core/events create", "core/events patch");
    assertThat(denied).as("API calls the chart's RBAC does not allow (calls made: %s)", calls).isEmpty();
  }

  @Test
  void metricsExposeProviderCallsWithOutcomeAndLatency() {
    assertThat(metrics)
        .containsPattern("dustcloud_provider_calls_total\\{[^}]*method=\"realize\",outcome=\"success\",provider=\"local\"\\} [1-9]")
        .containsPattern("dustcloud_provider_calls_total\\{[^}]*method=\"realize\",outcome=\"retryable_error\",provider=\"local\"\\} 1\\.0")
        .containsPattern("dustcloud_provider_call_duration_seconds_bucket\\{[^}]*method=\"observe\"")
        .containsPattern("dustcloud_provider_call_duration_seconds_count\\{method=\"realize\",provider=\"local\"\\} [1-9]")
        .contains("dustcloud_fleet_ready_replicas{name=\"hello\",namespace=\"apps\"} 2");
  }

  @Test
  void everyMetricTheDashboardQueriesIsExposed() throws Exception {
    JsonNode dashboard = new ObjectMapper().readTree(Path.of("helm/dustcloud/dashboards/dustcloud.json").toFile());
    List<String> exprs = dashboard.findValuesAsText("expr");
    assertThat(exprs).hasSizeGreaterThan(5);
    Set<String> exposed = new TreeSet<>(JOSDK_ON_FAILURE);
    for (String line : metrics.split("\n")) {
      if (!line.startsWith("#") && !line.isBlank()) {
        exposed.add(line.split("[{ ]")[0]);
      }
    }
    Set<String> queried = new TreeSet<>();
    Matcher m = Pattern.compile("\\b((?:dustcloud|operator_sdk|jvm|process)_[a-zA-Z0-9_]+)").matcher(String.join("\n", exprs));
    while (m.find()) {
      queried.add(m.group(1));
    }
    assertThat(queried).as("metrics the dashboard queries").isNotEmpty()
        .allSatisfy(q -> assertThat(exposed).as("exposed metrics").contains(q));
  }

  @Test
  void jsonLogLinesNameTheResource() throws Exception {
    ObjectMapper json = new ObjectMapper();
    List<JsonNode> lines = new ArrayList<>();
    for (String line : logs.split("\n")) {
      if (line.startsWith("{")) {
        lines.add(json.readTree(line));
      }
    }
    assertThat(lines).as("JSON log lines (captured: %s)", logs).isNotEmpty();
    JsonNode failure = lines.stream()
        .filter(l -> l.path("formattedMessage").asText().contains("provider local failed"))
        .findFirst().orElseThrow(() -> new AssertionError("no provider failure logged: " + logs));
    assertThat(failure.path("level").asText()).isEqualTo("WARN");
    assertThat(failure.path("mdc").path("resource.namespace").asText()).isEqualTo(NS);
    assertThat(failure.path("mdc").path("resource.name").asText()).isEqualTo("hello");
  }

  @Test
  void noSecretIsLogged() {
    assertThat(logs).isNotBlank().doesNotContain(SECRET).doesNotContain("private_key");
    assertThat(metrics).doesNotContain(SECRET);
  }

  private String awaitReady(KubernetesClient client, String notRevision) {
    String[] rev = new String[1];
    await().atMost(Duration.ofSeconds(20)).until(() -> {
      Unikernel uk = client.resources(Unikernel.class).inNamespace(NS).withName("hello").get();
      if (uk == null || uk.getStatus() == null || !StatusConditions.isTrue(uk.getStatus().conditions, Conditions.READY)
          || !uk.getMetadata().getGeneration().equals(uk.getStatus().observedGeneration)
          || uk.getStatus().currentRevision == null || uk.getStatus().currentRevision.equals(notRevision)) {
        return false;
      }
      rev[0] = uk.getStatus().currentRevision;
      return true;
    });
    return rev[0];
  }

  private String scrape() throws Exception {
    var response = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + operator.httpPort() + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString());
    return response.body();
  }

  private static void configureLogback(String resource, String format) throws Exception {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    context.reset();
    if (format != null) {
      context.putProperty("DUSTCLOUD_LOG_FORMAT", format);
    }
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(context);
    configurator.doConfigure(Path.of(resource.startsWith("logback.") || resource.startsWith("logback-json") ? "src/main/resources" : "src/test/resources", resource).toFile());
  }

  /** A provider whose first realize fails with a retryable error, as a rate-limited backend would. */
  static final class FailsOnce extends io.dustcloud.testing.ForwardingFleetProvider {
    final AtomicBoolean failed = new AtomicBoolean();

    FailsOnce(FleetProvider delegate) {
      super(delegate);
    }

    @Override public FleetObservation realize(DesiredFleet desired) {
      if (failed.compareAndSet(false, true)) {
        throw new ProviderException(io.dustcloud.core.Reason.PROVIDER_ERROR, "rate limited (429), will retry", true);
      }
      return delegate.realize(desired);
    }
  }
}
