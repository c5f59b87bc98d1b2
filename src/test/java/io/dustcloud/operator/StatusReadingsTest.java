package io.dustcloud.operator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dustcloud.api.v1alpha1.Unikernel;
import io.dustcloud.core.Reason;
import io.dustcloud.core.health.Repair;
import io.dustcloud.core.health.RepairCause;
import io.dustcloud.testing.Kstatus;
import io.dustcloud.testing.TestingFleetProvider;
import io.dustcloud.testing.Unikernels;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * How GitOps tools read a Unikernel in each state it can be in: kstatus (Flux, kpt, Config
 * Sync), the shipped Argo CD health script run by a real Lua interpreter (Debian's
 * {@code lua5.1} with {@code lua-cjson}, as Argo CD runs it on the object), and
 * {@code kubectl wait --for=condition=Ready}. The objects are captured from the real reconcile
 * pipeline and status function (written to {@code target/status-readings/} for a person to read).
 */
class StatusReadingsTest {
  static final String NS = "default";
  static final Path SCRIPT = Path.of("docs", "argocd-health.lua");
  static final ObjectMapper JSON = new ObjectMapper();
  @TempDir static Path dir;
  static Path artifact;
  TestingFleetProvider local;

  @BeforeEach
  void setUp() throws IOException {
    artifact = Files.writeString(dir.resolve("web.bin"), "#!/bin/sh\necho web\n");
    local = new TestingFleetProvider("local");
  }

  @AfterEach
  void tearDown() {
    local.close();
  }

  /** A state, how to bring a fleet into it, and how each tool must read it. */
  record State(String name, Consumer<StatusReadingsTest> reach, Kstatus.Status kstatus, String argo, boolean ready) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<State> states() {
    return Stream.of(
        new State("creating", t -> t.created(), Kstatus.Status.InProgress, "Progressing", false),
        new State("spec changed, not yet observed", t -> {
          t.settled();
          t.h.uk.getMetadata().setGeneration(2L);
        }, Kstatus.Status.InProgress, "Progressing", false),
        new State("rolling", t -> t.rolling(), Kstatus.Status.InProgress, "Progressing", false),
        new State("ready", t -> t.settled(), Kstatus.Status.Current, "Healthy", true),
        new State("crash-looping", t -> t.crashLooping(), Kstatus.Status.InProgress, "Progressing", false),
        new State("crash-looping past its deadline", t -> t.crashLoopingPastTheDeadline(), Kstatus.Status.Failed,
            "Degraded", false),
        new State("rolled back", t -> t.missedDeadline(true), Kstatus.Status.Failed, "Degraded", false),
        new State("deadline missed", t -> t.missedDeadline(false), Kstatus.Status.Failed, "Degraded", false),
        new State("stalled on an invalid spec", t -> t.invalid(), Kstatus.Status.Failed, "Degraded", false),
        new State("deleting", t -> {
          t.settled();
          t.h.uk.getMetadata().setDeletionTimestamp("2026-01-01T01:00:00Z");
        }, Kstatus.Status.Terminating, "Progressing", true));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("states")
  void everyToolReadsTheStateAsItIs(State state) throws Exception {
    state.reach().accept(this);
    JsonNode object = capture(state.name());

    assertThat(Kstatus.compute(object)).as("kstatus").isEqualTo(state.kstatus());
    JsonNode health = argoHealth(object);
    assertThat(health.path("status").asText()).as("Argo CD health: %s", health).isEqualTo(state.argo());
    assertThat(health.path("message").asText()).as("Argo CD says why").isNotBlank();
    assertThat(Kstatus.waitMet(object, Conditions.READY)).as("kubectl wait --for=condition=Ready")
        .isEqualTo(state.ready());
    assertThat(Kstatus.isTrue(object.path("status"), Conditions.STALLED)
        && Kstatus.isTrue(object.path("status"), Conditions.RECONCILING)).as("Stalled and Reconciling both True")
        .isFalse();
  }

  @Test
  void aRolledBackFleetSaysWhatFailedWhyAndWhatServes() throws Exception {
    missedDeadline(true);
    JsonNode object = capture("rolled back");
    JsonNode health = argoHealth(object);
    var s = h.uk.getStatus();
    assertThat(health.path("message").asText())
        .startsWith("RolledBack: rolled back from " + s.failedRevision + " to " + s.updateRevision)
        .contains("ProgressDeadlineExceeded").contains(s.updateRevision + " serves");
    assertThat(Kstatus.isTrue(object.path("status"), Conditions.AVAILABLE)).as("the last good revision serves").isTrue();
  }

  // --- reaching each state through the real pipeline ---

  PipelineHarness h;

  void created() {
    h = new PipelineHarness(Unikernels.local(NS, "web", artifact, 2, "--version=v1"), local);
    h.supervision.readyRevisions = Set.of();
    h.reconcile();
  }

  void settled() {
    h = new PipelineHarness(Unikernels.local(NS, "web", artifact, 2, "--version=v1"), local);
    h.uk.getSpec().rollout.progressDeadlineSeconds = 30;
    h.settleThroughWindows();
    assertThat(h.uk.getStatus().lastGoodRevision).isNotNull();
  }

  String newSpec() {
    String v1 = h.uk.getStatus().currentRevision;
    h.uk.getSpec().bootArgs = List.of("--version=v2");
    h.uk.getMetadata().setGeneration(2L);
    h.supervision.readyRevisions = Set.of(v1);
    h.reconcile();
    return v1;
  }

  void rolling() {
    settled();
    newSpec();
  }

  void crashLooping() {
    created();
    String rev = h.uk.getStatus().updateRevision;
    h.supervision.unhealthy = local.observe(new io.dustcloud.provider.FleetId(NS, "web")).instances().stream()
        .map(i -> new Repair(i.id(), i.revision(), RepairCause.EXITED_BEFORE_READY, "exit status 2"))
        .toList();
    h.supervision.repairs = 5;
    h.supervision.crashLoops = List.of(new io.dustcloud.supervisor.CrashLoop(rev, 5, h.clock.instant().plusSeconds(16),
        Duration.ofSeconds(16), rev + "-a1b2c3d4", "exited before it became ready",
        List.of("hello: invalid argument '--no-such-flag'")));
    h.clock.advance(Duration.ofSeconds(5));
    h.reconcile();
    assertThat(h.uk.getStatus().conditions)
        .anyMatch(c -> c.type.equals(Conditions.DEGRADED) && Reason.CRASH_LOOP_BACK_OFF.value().equals(c.reason));
  }

  /** Still crash-looping when its progress deadline passes: a failed rollout, retried with backoff. */
  void crashLoopingPastTheDeadline() {
    crashLooping();
    h.clock.advance(Duration.ofSeconds(600));
    h.reconcile();
  }

  void missedDeadline(boolean autoRollback) {
    settled();
    h.uk.getSpec().rollout.autoRollback = autoRollback;
    newSpec();
    h.clock.advance(Duration.ofSeconds(31));
    h.reconcile();
    h.reconcile();
  }

  void invalid() {
    settled();
    h.uk.getSpec().port = 0;
    h.uk.getMetadata().setGeneration(2L);
    var step = h.reconcile();
    assertThat(step.status().conditions).anyMatch(c -> Reason.INVALID_SPEC.value().equals(c.reason));
  }

  JsonNode capture(String state) throws IOException {
    String json = Json.write(h.uk);
    Path out = Path.of("target", "status-readings", state.replace(' ', '-').replace(",", "") + ".json");
    Files.createDirectories(out.getParent());
    Files.writeString(out, json);
    return JSON.readTree(json);
  }

  /** Runs docs/argocd-health.lua as Argo CD does: the object as the global {@code obj}, the table returned. */
  static JsonNode argoHealth(JsonNode object) throws Exception {
    Path input = Files.writeString(dir.resolve("obj.json"), JSON.writeValueAsString(object));
    String runner = String.join("\n",
        "local cjson = require('cjson')",
        "local function nonulls(v)",
        "  if v == cjson.null then return nil end",
        "  if type(v) == 'table' then for k, x in pairs(v) do v[k] = nonulls(x) end end",
        "  return v",
        "end",
        "local f = assert(io.open(arg[1])); obj = nonulls(cjson.decode(f:read('*a'))); f:close()",
        "local check = assert(loadfile(arg[2]))",
        "io.write(cjson.encode(check()))");
    Path script = Files.writeString(dir.resolve("run.lua"), runner);
    Process p;
    try {
      p = new ProcessBuilder("lua5.1", script.toString(), input.toString(), SCRIPT.toAbsolutePath().toString())
          .redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new AssertionError("lua5.1 is needed to test the Argo CD health script (apt-get install lua5.1 lua-cjson)", e);
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("lua5.1 finished").isTrue();
    assertThat(p.exitValue()).as("lua5.1 failed: %s", out).isZero();
    return JSON.readTree(out);
  }
}
