package io.dustcloud;

import io.dustcloud.testing.EndToEnd;
import io.dustcloud.core.Reason;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.dustcloud.api.CrdFiles;
import io.dustcloud.api.v1alpha1.Condition;
import io.dustcloud.api.v1alpha1.Unikernel;
import io.dustcloud.api.v1alpha1.UnikernelRevision;
import io.dustcloud.dev.SchemaAdmission;
import io.dustcloud.operator.Conditions;
import io.dustcloud.wiring.DustcloudOperator;
import io.dustcloud.operator.OperatorConfig;
import io.dustcloud.binding.Bindings;
import io.dustcloud.operator.StatusConditions;
import io.dustcloud.provider.FleetId;
import io.dustcloud.provider.local.LocalProvider;
import io.dustcloud.testing.ExampleApp;
import io.dustcloud.testing.MockApiServer;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every manifest in {@code src/test/resources/bad-input/} names, in its header, what it must
 * produce:
 *
 * <ul>
 *   <li>{@code expect-rejected: MESSAGE} — the CRD schema refuses it with exactly this cause
 *       (checked by dev mode's admission, which evaluates the schema and its CEL rules the way
 *       an API server does);
 *   <li>{@code runtime-guard: MESSAGE} — if it reaches the operator anyway (a CRD installed
 *       without its schema), it ends {@code Stalled} with reason {@code InvalidSpec} and this
 *       message, and nothing is created;
 *   <li>{@code expect-stalled: REASON: TEXT} — the schema accepts it; the operator sets
 *       {@code Stalled=True} with this reason and a message containing TEXT, and starts no
 *       instance.
 * </ul>
 */
@EndToEnd
class BadInputCorpusTest {
  static final Path CORPUS = Path.of("src/test/resources/bad-input");
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir static Path dir;
  static MockApiServer api;
  static KubernetesClient client;
  static LocalProvider local;
  static DustcloudOperator operator;

  record Case(Path file, Map<String, String> expect) {
    String name() {
      return file.getFileName().toString().replace(".yaml", "");
    }
  }

  @BeforeAll
  static void start() throws Exception {
    api = new MockApiServer();
    client = api.client();
    local = new LocalProvider(dir.resolve("local"));
    operator = new DustcloudOperator(client, OperatorConfig.dev(dir, 0),
        Bindings.of(local), Clock.systemUTC()).start();
  }

  @AfterAll
  static void stop() {
    operator.close();
    api.close();
    ExampleApp.killDescendants();
  }

  static List<Case> corpus() throws IOException {
    try (Stream<Path> files = Files.list(CORPUS)) {
      return files.filter(p -> p.toString().endsWith(".yaml")).sorted().map(BadInputCorpusTest::read).toList();
    }
  }

  static Case read(Path file) {
    try {
      Map<String, String> expect = Files.readAllLines(file).stream()
          .takeWhile(l -> l.startsWith("# "))
          .map(l -> l.substring(2).split(": ", 2))
          .collect(Collectors.toMap(kv -> kv[0], kv -> kv[1]));
      return new Case(file, expect);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void theCorpusCoversSchemaAndRuntimeRules() throws IOException {
    List<Case> cases = corpus();
    assertThat(cases).allSatisfy(c -> assertThat(c.expect()).as(c.name()).containsAnyOf(
        Map.entry("expect-rejected", c.expect().getOrDefault("expect-rejected", "")),
        Map.entry("expect-stalled", c.expect().getOrDefault("expect-stalled", ""))));
    assertThat(cases.stream().filter(c -> c.expect().containsKey("expect-rejected"))).hasSizeGreaterThanOrEqualTo(10);
    assertThat(cases.stream().filter(c -> c.expect().containsKey("expect-stalled"))).hasSizeGreaterThanOrEqualTo(5);
  }

  @TestFactory
  Stream<DynamicTest> schemaRejectsWithTheApiServersMessage() throws IOException {
    JSONSchemaProps schema = CrdFiles.load().stream()
        .filter(c -> c.getSpec().getNames().getKind().equals("Unikernel")).findFirst().orElseThrow()
        .getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema();
    SchemaAdmission admission = new SchemaAdmission();
    return corpus().stream()
        .filter(c -> c.expect().containsKey("expect-rejected"))
        .map(c -> DynamicTest.dynamicTest(c.name(), () -> {
          ObjectNode object = (ObjectNode) YAML.readTree(c.file().toFile());
          assertThat(admission.admit(schema, object, null))
              .extracting(SchemaAdmission.Cause::message)
              .containsExactly(c.expect().get("expect-rejected"));
        }));
  }

  @TestFactory
  Stream<DynamicTest> operatorGuardsWhatTheSchemaWouldHaveRejected() throws IOException {
    return corpus().stream()
        .filter(c -> c.expect().containsKey("runtime-guard"))
        .map(c -> DynamicTest.dynamicTest(c.name(), () -> {
          apply(c);
          Condition stalled = awaitStalled(c.name());
          assertThat(stalled.reason).isEqualTo(Reason.INVALID_SPEC.value());
          assertThat(stalled.message).contains(c.expect().get("runtime-guard"));
          assertNothingCreated(c.name(), true);
        }));
  }

  @TestFactory
  Stream<DynamicTest> operatorStallsWithAPreciseReason() throws IOException {
    return corpus().stream()
        .filter(c -> c.expect().containsKey("expect-stalled"))
        .map(c -> DynamicTest.dynamicTest(c.name(), () -> {
          apply(c);
          String[] expected = c.expect().get("expect-stalled").split(": ", 2);
          Condition stalled = awaitStalled(c.name());
          assertThat(stalled.reason).isEqualTo(expected[0]);
          assertThat(stalled.message).contains(expected[1]);
          assertThat(condition(get(c.name()), Conditions.READY).status).isEqualTo("False");
          assertNothingCreated(c.name(), false);
        }));
  }

  static void apply(Case c) throws IOException {
    // straight into the store, as if no schema had been enforced
    client.resource(Serialization.unmarshal(Files.readString(c.file()), Unikernel.class)).create();
  }

  static Condition awaitStalled(String name) {
    await().atMost(WAIT).until(() -> {
      Unikernel uk = get(name);
      Condition s = uk == null || uk.getStatus() == null ? null : condition(uk, Conditions.STALLED);
      return s != null && "True".equals(s.status);
    });
    return condition(get(name), Conditions.STALLED);
  }

  static void assertNothingCreated(String name, boolean noRevision) {
    assertThat(local.observe(new FleetId("default", name)).instances()).as("instances of %s", name).isEmpty();
    if (noRevision) {
      assertThat(client.resources(UnikernelRevision.class).inNamespace("default")
          .withLabel("dustcloud.io/unikernel", name).list().getItems()).as("revisions of %s", name).isEmpty();
    }
  }

  static Unikernel get(String name) {
    return client.resources(Unikernel.class).inNamespace("default").withName(name).get();
  }

  static Condition condition(Unikernel uk, String type) {
    return StatusConditions.find(uk.getStatus().conditions, type);
  }

}
