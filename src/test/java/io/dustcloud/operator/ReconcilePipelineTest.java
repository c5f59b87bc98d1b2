package io.dustcloud.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.dustcloud.api.v1alpha1.Unikernel;
import io.dustcloud.api.v1alpha1.UnikernelStatus;
import io.dustcloud.build.ArtifactResolution;
import io.dustcloud.api.v1alpha1.InvalidField;
import io.dustcloud.api.v1alpha1.ReadProblems;
import io.dustcloud.core.Reason;
import io.dustcloud.provider.DesiredFleet;
import io.dustcloud.provider.FleetId;
import io.dustcloud.provider.FleetObservation;
import io.dustcloud.provider.FleetProvider;
import io.dustcloud.provider.ProviderException;
import io.dustcloud.provider.RevisionImage;
import io.dustcloud.testing.TestingFleetProvider;
import io.dustcloud.testing.Unikernels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The reconcile pipeline stepped by hand: spec × what the provider and the builds do → the
 * step result, the status and the provider calls. No operator, API server, threads or sleeps.
 */
class ReconcilePipelineTest {
  static final String NS = "default";
  @TempDir static Path dir;
  static Path artifact;
  TestingFleetProvider local;
  ScriptedProvider provider;

  @BeforeEach
  void setUp() throws Exception {
    artifact = Files.writeString(dir.resolve("web.bin"), "#!/bin/sh\necho web\n");
    local = new TestingFleetProvider("local");
    provider = new ScriptedProvider(local);
  }

  @AfterEach
  void tearDown() {
    local.close();
  }

  @Test
  void theStepsRunInTheirNamedOrder() {
    var h = harness(Unikernels.local(NS, "web", artifact, 2));
    assertThat(UnikernelReconciler.pipeline(h.providers, h.supervision, h.revisions, h.events).names())
        .containsExactly("gate-spec", "resolve-revision", "observe", "plan", "act", "record-revisions");
  }

  /** One row of the rule: how the spec or the world is set up, and what the reconcile must come to. */
  record Row(String name, Consumer<Unikernel> spec, Consumer<ReconcilePipelineTest> world, Class<?> result,
      Reason reason, String ready, String reconciling, String stalled, boolean realized, Duration requeue) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Row> rows() {
    Consumer<Unikernel> asIs = uk -> {};
    Consumer<ReconcilePipelineTest> fine = t -> {};
    return Stream.of(
        new Row("a valid fleet is realized and starts", asIs, fine, StepResult.Continue.class,
            Reason.INSTANCES_STARTING, "False", "True", "False", true, null),
        new Row("an invalid spec stalls before anything is created", uk -> uk.getSpec().port = 0, fine,
            StepResult.Stall.class, Reason.INVALID_SPEC, "False", "False", "True", false, null),
        new Row("a spec the operator could not read stalls before anything is created", uk -> {
              uk.setSpec(null);
              uk.readProblems(new ReadProblems<>(new InvalidField("spec.port", "\"abc\"", "an integer"), null, null));
            }, fine, StepResult.Stall.class, Reason.INVALID_OBJECT, "False", "False", "True", false, null),
        new Row("a provider this operator lacks stalls", uk -> {
              uk.getSpec().provider.local = null;
              uk.getSpec().provider.gce = new io.dustcloud.api.v1alpha1.GceProviderSpec();
              uk.getSpec().provider.gce.project = "my-project";
              uk.getSpec().provider.gce.zone = "europe-west1-b";
              uk.getSpec().image.url = "gs://bucket/web.tar.gz";
              uk.getSpec().image.format = io.dustcloud.api.v1alpha1.ArtifactFormat.virtio;
            }, fine, StepResult.Stall.class, Reason.PROVIDER_NOT_CONFIGURED, "False", "False", "True", false, null),
        new Row("a running build waits and polls", asIs,
            t -> t.harness.resolve = rev -> new ArtifactResolution.Pending(Reason.BUILDING, "make is running"),
            StepResult.Wait.class, Reason.BUILDING, "False", "True", "False", false, ResolveRevision.BUILD_POLL),
        new Row("a missing artifact stalls", asIs,
            t -> t.harness.resolve = rev -> new ArtifactResolution.Failed(Reason.ARTIFACT_NOT_FOUND, "no such file"),
            StepResult.Stall.class, Reason.ARTIFACT_NOT_FOUND, "False", "False", "True", false, null),
        new Row("a pin to a revision that does not exist stalls", uk -> uk.getSpec().revision = "web-0000000000", fine,
            StepResult.Stall.class, Reason.REVISION_NOT_FOUND, "False", "False", "True", false, null),
        new Row("an image the provider cannot boot stalls", asIs, t -> t.local.unsupported = "no KVM here",
            StepResult.Stall.class, Reason.PROVIDER_UNSUPPORTED, "False", "False", "True", false, null),
        new Row("an artifact the provider refuses with its own reason stalls with that reason", asIs, t -> {
              t.local.unsupported = "the Solo5 manifest names its network device 'eth0'";
              t.local.unsupportedAs = Reason.SOLO5_MANIFEST_MISMATCH;
            }, StepResult.Stall.class, Reason.SOLO5_MANIFEST_MISMATCH, "False", "False", "True", false, null),
        // Stalled and Reconciling are never both True (kstatus would read it as in progress)
        new Row("repairs the supervisor suspended stall the fleet", asIs,
            t -> t.harness.supervision.suspended = "2 of 2 instances are unhealthy; repairs are suspended",
            StepResult.Continue.class, Reason.REPAIRS_SUSPENDED, "False", "False", "True", true, null),
        new Row("a provider failure that may pass is retried", asIs,
            t -> t.provider.failRealize = new ProviderException(Reason.NO_FREE_PORT, "no free port", true),
            StepResult.Wait.class, Reason.NO_FREE_PORT, "False", "True", "False", false, ProviderFailures.PROGRESS_POLL),
        new Row("a provider failure that needs a person stalls", asIs,
            t -> t.provider.failRealize = new ProviderException(Reason.START_FAILED, "not executable", false),
            StepResult.Stall.class, Reason.START_FAILED, "False", "False", "True", false, null));
  }

  PipelineHarness harness;

  PipelineHarness harness(Unikernel uk) {
    harness = new PipelineHarness(uk, provider);
    return harness;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  void specAndWorldGiveResultStatusAndProviderCalls(Row row) {
    Unikernel uk = Unikernels.local(NS, "web", artifact, 2);
    row.spec().accept(uk);
    harness(uk);
    row.world().accept(this);
    harness.supervision.readyRevisions = Set.of(); // nothing ready yet

    var step = harness.reconcile();

    assertThat(step.result()).isInstanceOf(row.result());
    assertThat(PipelineHarness.requeue(step.result())).isEqualTo(row.requeue());
    UnikernelStatus s = step.status();
    assertThat(condition(s, Conditions.READY)).as(StatusConditions.find(s.conditions, Conditions.READY).message)
        .isEqualTo(row.ready() + " " + row.reason().value());
    assertThat(condition(s, Conditions.RECONCILING)).startsWith(row.reconciling() + " ");
    assertThat(condition(s, Conditions.STALLED)).startsWith(row.stalled() + " ");
    assertThat(s.observedGeneration).isEqualTo(1L);
    assertThat(local.calls.stream().anyMatch(c -> c.startsWith("realize"))).isEqualTo(row.realized());
    if (row.realized()) {
      assertThat(local.calls).contains("realize default/web 2");
      assertThat(s.desiredReplicas).isEqualTo(2);
    }
    if (row.stalled().equals("True")) {
      assertThat(harness.events.warnings).singleElement().asString().startsWith(row.reason().value() + ": ");
    }
  }

  /**
   * A running fleet whose spec becomes unreadable (a value of the wrong type): stalled with the
   * field named, the fleet left exactly as it is (no provider call, the supervisor not told
   * anything new); the fixed spec is picked up again.
   */
  @Test
  void anUnreadableSpecLeavesARunningFleetAsItIsUntilFixed() {
    Unikernel uk = Unikernels.local(NS, "web", artifact, 2);
    var h = harness(uk);
    assertThat(condition(h.settle(5).status(), Conditions.READY)).isEqualTo("True FleetReady");
    var spec = uk.getSpec();
    int calls = local.calls.size();
    int supervised = h.supervision.supervised.size();

    uk.setSpec(null);
    uk.readProblems(new ReadProblems<>(new InvalidField("spec.port", "\"abc\"", "an integer"), spec, null));
    uk.getMetadata().setGeneration(2L);
    var stalled = h.reconcile();
    h.reconcile();

    assertThat(stalled.result()).isInstanceOf(StepResult.Stall.class);
    assertThat(condition(stalled.status(), Conditions.STALLED)).isEqualTo("True InvalidObject");
    assertThat(StatusConditions.find(stalled.status().conditions, Conditions.STALLED).message)
        .isEqualTo("the spec cannot be read: spec.port: expected an integer, found \"abc\";"
            + " the fleet is left as it is until it is fixed");
    assertThat(stalled.status().readyReplicas).as("the last observation is kept").isEqualTo(2);
    assertThat(local.calls).hasSize(calls);
    assertThat(h.supervision.supervised).hasSize(supervised);
    assertThat(h.events.warnings).singleElement().asString().startsWith("InvalidObject: the spec cannot be read");

    uk.setSpec(spec);
    uk.readProblems(ReadProblems.none());
    uk.getMetadata().setGeneration(3L);
    var ready = h.settle(5);
    assertThat(condition(ready.status(), Conditions.STALLED)).isEqualTo("False Reconciled");
    assertThat(condition(ready.status(), Conditions.READY)).isEqualTo("True FleetReady");
  }

  /** A provider this operator lacks: stalled before anything exists; fixing the spec clears it. */
  @Test
  void aStallCreatesNothingAndAFixedSpecClearsIt() {
    Unikernel uk = Unikernels.local(NS, "cloudy", artifact, 1);
    uk.getSpec().provider.local = null;
    uk.getSpec().provider.gce = new io.dustcloud.api.v1alpha1.GceProviderSpec();
    uk.getSpec().provider.gce.project = "my-project-1";
    uk.getSpec().provider.gce.zone = "europe-west1-b";
    var h = harness(uk);

    var stalled = h.reconcile();
    assertThat(condition(stalled.status(), Conditions.STALLED)).isEqualTo("True ProviderNotConfigured");
    assertThat(StatusConditions.find(stalled.status().conditions, Conditions.STALLED).message)
        .isEqualTo("provider 'gce' is not configured in this operator (configured: local)");
    assertThat(h.revisions.writes).isEmpty();
    assertThat(local.calls).isEmpty();
    assertThat(h.events.all()).containsExactly(
        "ProviderNotConfigured: provider 'gce' is not configured in this operator (configured: local)");
    // the same stall again announces nothing more
    h.reconcile();
    assertThat(h.events.all()).hasSize(1);

    uk.getSpec().provider.gce = null;
    uk.getSpec().provider.local = new io.dustcloud.api.v1alpha1.LocalProviderSpec();
    uk.getMetadata().setGeneration(2L);
    var ready = h.settle(5);
    assertThat(condition(ready.status(), Conditions.STALLED)).isEqualTo("False Reconciled");
    assertThat(condition(ready.status(), Conditions.READY)).isEqualTo("True FleetReady");
    assertThat(ready.status().observedGeneration).isEqualTo(2L);
  }

  @Test
  void aFleetBecomesReadyOnceItsInstancesAre() {
    var h = harness(Unikernels.local(NS, "web", artifact, 2));
    h.supervision.readyRevisions = Set.of();
    var first = h.reconcile();
    assertThat(condition(first.status(), Conditions.READY)).isEqualTo("False InstancesStarting");
    assertThat(h.events.normals).anyMatch(e -> e.startsWith("RevisionCreated: created revision web-"));
    assertThat(h.revisions.writes).containsExactly("create " + first.status().updateRevision,
        "artifact " + first.status().updateRevision);

    h.supervision.readyRevisions = null; // every instance passes its probes
    var second = h.reconcile();

    assertThat(condition(second.status(), Conditions.READY)).isEqualTo("True FleetReady");
    assertThat(second.status().readyReplicas).isEqualTo(2);
    assertThat(second.status().endpoint).isEqualTo("fake-endpoint/default.web");
    assertThat(second.events()).contains("FleetReady");
    assertThat(local.calls).containsExactly("realize default/web 2", "realize default/web 2");
  }

  /** The autoscaler owns the total: the status follows it, the provider realizes it. */
  @Test
  void theDesiredTotalComesFromTheSupervisorAlone() {
    var h = harness(Unikernels.local(NS, "web", artifact, 2));
    h.uk.getSpec().scaling.maxReplicas = 10;
    h.settle(5);
    assertThat(h.supervision.supervised.get(0).initialTotal()).isEqualTo(2);

    h.supervision.decide(6, "rps 600 over target 100");
    var scaled = h.reconcile();

    assertThat(scaled.status().desiredReplicas).isEqualTo(6);
    assertThat(scaled.status().lastScaleReason).isEqualTo("rps 600 over target 100");
    assertThat(local.calls).last().isEqualTo("realize default/web 6");
    assertThat(scaled.events()).contains("ScaledUp");
    assertThat(h.events.normals).contains("ScaledUp: desired 2 -> 6: rps 600 over target 100");

    // a lower maxReplicas is applied by the supervisor, not by the reconciler
    h.uk.getSpec().scaling.maxReplicas = 4;
    var capped = h.reconcile();
    assertThat(h.supervision.desiredTotal()).isEqualTo(4);
    assertThat(capped.status().desiredReplicas).isEqualTo(4);
    assertThat(capped.status().lastScaleReason).isEqualTo("scaling bounds are 2..4");
  }

  /** minReplicas is not revision-relevant: the fleet grows on the same revision, no rollout. */
  @Test
  void aScalingChangeKeepsTheRevision() {
    var h = harness(Unikernels.local(NS, "web", artifact, 1));
    String first = h.settle(5).status().currentRevision;

    h.uk.getSpec().scaling.minReplicas = 3;
    h.uk.getMetadata().setGeneration(2L);
    var grown = h.settle(5);

    assertThat(grown.status().readyReplicas).isEqualTo(3);
    assertThat(grown.status().currentRevision).isEqualTo(first);
    assertThat(grown.status().updateRevision).isEqualTo(first);
    assertThat(h.revisions.byName).hasSize(1);
    assertThat(h.events.all()).noneMatch(e -> e.startsWith("RolloutStarted"));
    assertThat(local.calls).last().isEqualTo("realize default/web 3");
  }

  @Test
  void aSettledFleetKeepsItsStatusByteForByteOverAThousandReconciles() {
    var h = harness(Unikernels.local(NS, "web", artifact, 3));
    h.settleThroughWindows();
    int events = h.events.all().size();

    String settled = unchangedOverAThousandReconciles(h);

    assertThat(h.events.all()).hasSize(events);
    assertThat(settled.getBytes(StandardCharsets.UTF_8).length).isLessThan(4096);
    assertThat(condition(h.uk.getStatus(), Conditions.READY)).isEqualTo("True FleetReady");
  }

  @Test
  void aRolledBackFleetKeepsItsStatusByteForByteOverAThousandReconciles() {
    var h = harness(Unikernels.local(NS, "web", artifact, 2, "--version=v1"));
    h.uk.getSpec().rollout.progressDeadlineSeconds = 30;
    h.settleThroughWindows();
    String v1 = h.uk.getStatus().currentRevision;
    assertThat(h.uk.getStatus().lastGoodRevision).isEqualTo(v1);

    // v2 never passes its probes: rolled back to v1 after the progress deadline
    h.uk.getSpec().bootArgs = List.of("--version=v2");
    h.uk.getMetadata().setGeneration(2L);
    h.supervision.readyRevisions = Set.of(v1);
    h.reconcile();
    h.clock.advance(Duration.ofSeconds(31));
    var rolledBack = h.reconcile();
    assertThat(rolledBack.events()).contains("RolledBack");
    h.settleThroughWindows();
    UnikernelStatus s = h.uk.getStatus();
    assertThat(s.updateRevision).isEqualTo(v1);
    assertThat(s.failedRevision).isNotNull().isNotEqualTo(v1);
    String message = StatusConditions.find(s.conditions, Conditions.ROLLED_BACK).message;
    assertThat(message).startsWith("rolled back from " + s.failedRevision + " to " + v1 + ": ProgressDeadlineExceeded");
    // kstatus: Failed (Stalled, not Reconciling); not Ready; the last good revision serves
    assertThat(condition(s, Conditions.STALLED)).isEqualTo("True RolledBack");
    assertThat(StatusConditions.find(s.conditions, Conditions.STALLED).message)
        .contains(s.failedRevision).contains("ProgressDeadlineExceeded").contains(v1 + " serves");
    assertThat(condition(s, Conditions.READY)).isEqualTo("False RolledBack");
    assertThat(condition(s, Conditions.RECONCILING)).startsWith("False ");
    assertThat(condition(s, Conditions.AVAILABLE)).isEqualTo("True InstancesAvailable");
    assertThat(h.events.warnings).filteredOn(w -> w.startsWith("RolledBack")).hasSize(1);
    String settled = unchangedOverAThousandReconciles(h);
    assertThat(settled.getBytes(StandardCharsets.UTF_8).length).isLessThan(4096);
    String after = StatusConditions.find(h.uk.getStatus().conditions, Conditions.ROLLED_BACK).message;
    assertThat(after).isEqualTo(message);
    assertThat(after.split("rolled back from", -1)).hasSize(2);
  }

  @Test
  void aMissedDeadlineWithoutRollbackStallsUntilTheRolloutCompletes() {
    var h = harness(Unikernels.local(NS, "web", artifact, 2, "--version=v1"));
    h.uk.getSpec().rollout.progressDeadlineSeconds = 30;
    h.uk.getSpec().rollout.autoRollback = false;
    h.settleThroughWindows();
    String v1 = h.uk.getStatus().currentRevision;

    h.uk.getSpec().bootArgs = List.of("--version=v2");
    h.uk.getMetadata().setGeneration(2L);
    h.supervision.readyRevisions = Set.of(v1);
    var rolling = h.reconcile();
    assertThat(condition(rolling.status(), Conditions.RECONCILING)).isEqualTo("True RollingOut");
    assertThat(rolling.context().decision.recheckAt()).as("looked at again at the deadline")
        .isEqualTo(h.clock.instant().plusSeconds(30));
    h.clock.advance(Duration.ofSeconds(30));
    var late = h.reconcile();

    UnikernelStatus s = late.status();
    String v2 = s.updateRevision;
    assertThat(v2).isNotEqualTo(v1);
    assertThat(condition(s, Conditions.STALLED)).isEqualTo("True ProgressDeadlineExceeded");
    assertThat(StatusConditions.find(s.conditions, Conditions.STALLED).message)
        .contains(v2).contains("30s").contains("automatic rollback is off");
    assertThat(condition(s, Conditions.RECONCILING)).startsWith("False ");
    assertThat(condition(s, Conditions.READY)).isEqualTo("False ProgressDeadlineExceeded");
    assertThat(condition(s, Conditions.AVAILABLE)).startsWith("True ");
    assertThat(late.events()).containsExactly("ProgressDeadlineExceeded");
    for (int i = 0; i < 100; i++) {
      h.clock.advance(Duration.ofSeconds(1));
      assertThat(h.reconcile().events()).isEmpty();
    }

    // the rollout kept trying; once v2 is ready it completes and the stall clears
    h.supervision.readyRevisions = null;
    h.settleThroughWindows();
    assertThat(condition(h.uk.getStatus(), Conditions.STALLED)).isEqualTo("False Reconciled");
    assertThat(condition(h.uk.getStatus(), Conditions.READY)).isEqualTo("True FleetReady");
    assertThat(h.uk.getStatus().currentRevision).isEqualTo(v2);
  }

  /**
   * A crash loop is retried forever, so its status must not move between restarts: the message
   * names the next attempt's absolute time and the delay, never a countdown. Degraded, still
   * Reconciling, never Stalled; one CrashLoopBackOff Event per restart.
   */
  @Test
  void aCrashLoopingFleetKeepsItsStatusByteForByteBetweenRestarts() {
    var h = harness(Unikernels.local(NS, "web", artifact, 2, "--no-such-flag"));
    // past its progress deadline a crash-looping rollout is Stalled (ProgressDeadlineExceeded,
    // StatusReadingsTest); this test is about the time before it
    h.uk.getSpec().rollout.progressDeadlineSeconds = 86400;
    h.supervision.readyRevisions = Set.of();
    h.reconcile();
    String rev = h.uk.getStatus().updateRevision;
    Instant first = h.clock.instant();
    h.supervision.repairs = 3;
    h.supervision.crashLoops = List.of(new io.dustcloud.supervisor.CrashLoop(rev, 3, first.plusSeconds(4),
        Duration.ofSeconds(4), rev + "-a1b2c3d4", "exited before it became ready",
        List.of("hello: invalid argument '--no-such-flag'", "usage: hello [--port=N]")));
    h.reconcile();
    UnikernelStatus s = h.uk.getStatus();
    assertThat(condition(s, Conditions.DEGRADED)).isEqualTo("True CrashLoopBackOff");
    assertThat(StatusConditions.find(s.conditions, Conditions.DEGRADED).message)
        .contains("revision " + rev + " is crash-looping")
        .contains("next attempt at " + first.plusSeconds(4) + " (in 4s)")
        .contains("invalid argument '--no-such-flag'");
    assertThat(condition(s, Conditions.STALLED)).startsWith("False");
    assertThat(condition(s, Conditions.RECONCILING)).startsWith("True");
    assertThat(s.restarts).isEqualTo(3L);
    assertThat(h.events.all()).filteredOn(e -> e.startsWith("CrashLoopBackOff")).hasSize(1);
    String settled = unchangedOverAThousandReconciles(h);

    // the next restart: the backoff grew, one more Event
    h.supervision.repairs = 4;
    h.supervision.crashLoops = List.of(new io.dustcloud.supervisor.CrashLoop(rev, 4, h.clock.instant().plusSeconds(8),
        Duration.ofSeconds(8), rev + "-e5f6a7b8", "exited before it became ready", List.of("hello: invalid argument")));
    h.reconcile();
    h.reconcile();
    assertThat(h.uk.getStatus().restarts).isEqualTo(4L);
    assertThat(h.events.all()).filteredOn(e -> e.startsWith("CrashLoopBackOff")).hasSize(2);
  }

  /**
   * Reconciles 1,000 times a second apart and asserts the status stays byte for byte what it
   * is, and is never written; returns it as JSON.
   */
  private static String unchangedOverAThousandReconciles(PipelineHarness h) {
    String settled = Json.write(h.uk.getStatus());
    int writes = h.statusWrites;
    for (int i = 0; i < 1000; i++) {
      h.clock.advance(Duration.ofSeconds(1));
      assertThat(Json.write(h.reconcile().status())).isEqualTo(settled);
    }
    assertThat(h.statusWrites).as("status writes").isEqualTo(writes);
    return settled;
  }


  static String condition(UnikernelStatus s, String type) {
    var c = StatusConditions.find(s.conditions, type);
    return c == null ? "absent" : c.status + " " + c.reason;
  }

  /** A provider that fails where the test says, and otherwise is the testing provider. */
  static final class ScriptedProvider extends io.dustcloud.testing.ForwardingFleetProvider {
    volatile ProviderException failRealize;

    ScriptedProvider(TestingFleetProvider delegate) {
      super(delegate);
    }

    @Override
    public FleetObservation realize(DesiredFleet desired) {
      if (failRealize != null) {
        throw failRealize;
      }
      return delegate.realize(desired);
    }
  }
}
