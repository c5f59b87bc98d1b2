package io.dustcloud.operator;

import static io.dustcloud.operator.ReconcilePipelineTest.condition;
import static org.assertj.core.api.Assertions.assertThat;

import io.dustcloud.api.v1alpha1.Unikernel;
import io.dustcloud.api.v1alpha1.UnikernelRevision;
import io.dustcloud.api.v1alpha1.UnikernelStatus;
import io.dustcloud.core.Reason;
import io.dustcloud.testing.TestingFleetProvider;
import io.dustcloud.testing.Unikernels;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Revisions are used only when they are this Unikernel's (controlled by it, spec hashing to the
 * name), and the revisions its status names are checked before the rollout acts on them: the
 * reconcile pipeline stepped by hand over fakes ({@link PipelineHarness}).
 */
class RevisionTrustPipelineTest {
  static final String NS = "default";
  /** A revision of another Unikernel, as status could be forged to name it. */
  static final String OTHERS = "other-0123456789";
  @TempDir static Path dir;
  static Path artifact;
  TestingFleetProvider local;

  @BeforeEach
  void setUp() throws Exception {
    artifact = Files.writeString(dir.resolve("web.bin"), "#!/bin/sh\necho web\n");
    local = new TestingFleetProvider("local");
  }

  @AfterEach
  void tearDown() {
    local.close();
  }

  /** A squatter: what it is made of, whether the fleet may use it, and what the message must name. */
  record Squatter(String name, Consumer<UnikernelRevision> made, boolean used, String names) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Squatter> squatters() {
    return Stream.of(
        new Squatter("no owner, SQUAT boot args", rev -> {
          rev.getMetadata().setOwnerReferences(List.of());
          rev.getSpec().bootArgs = List.of("--version=SQUAT");
        }, false, "it has no controlling ownerReference"),
        new Squatter("controlled by another Unikernel", rev -> rev.getMetadata().setOwnerReferences(List.of(
            new OwnerReferenceBuilder().withApiVersion("dustcloud.io/v1alpha1").withKind("Unikernel").withName("other")
                .withUid("uid-other").withController(true).build())),
            false, "it is controlled by Unikernel other (uid uid-other)"),
        new Squatter("owned but not controlled by this Unikernel", rev -> rev.getMetadata().getOwnerReferences()
            .get(0).setController(false), false, "it has no controlling ownerReference"),
        new Squatter("controlled by an earlier Unikernel of the same name", rev -> rev.getMetadata()
            .getOwnerReferences().get(0).setUid("uid-of-a-deleted-web"),
            false, "it is controlled by Unikernel web (uid uid-of-a-deleted-web), not this Unikernel (uid uid-web)"),
        new Squatter("right owner, SQUAT boot args under v2's name and hash",
            rev -> rev.getSpec().bootArgs = List.of("--version=SQUAT"), false, "not to its spec.hash"),
        new Squatter("right owner and content, another Unikernel's spec.unikernel",
            rev -> rev.getSpec().unikernel = "other", false, "its spec.unikernel is \"other\""),
        new Squatter("right owner, right content: the fleet's own revision", rev -> {}, true, null));
  }

  /**
   * A fleet on v1; an object with the name of its v2 revision exists before the spec moves to
   * v2. Only the fleet's own revision is rolled out; any other stalls with RevisionConflict
   * naming the object and what does not match, and the fleet keeps running v1 untouched.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("squatters")
  void aRevisionNameTakenBySomethingElseIsNeverRolledOut(Squatter squatter) {
    var h = new PipelineHarness(Unikernels.local(NS, "web", artifact, 2, "--version=v1"), local);
    h.settle(10);
    String v1 = h.uk.getStatus().currentRevision;
    Unikernel next = Json.copy(h.uk, Unikernel.class);
    next.getSpec().bootArgs = List.of("--version=v2");
    UnikernelRevision made = RevisionModel.desired(next);
    String v2 = made.getMetadata().getName();
    made.getMetadata().setCreationTimestamp("2026-01-01T00:30:00Z");
    squatter.made().accept(made);
    h.revisions.byName.put(v2, made);
    int calls = local.calls.size();
    int warnings = h.events.warnings.size();

    h.uk.getSpec().bootArgs = List.of("--version=v2");
    h.uk.getMetadata().setGeneration(2L);
    var step = h.settle(10);

    if (squatter.used()) {
      assertThat(step.status().currentRevision).isEqualTo(v2);
      assertThat(condition(step.status(), Conditions.READY)).isEqualTo("True FleetReady");
      return;
    }
    assertThat(step.result()).isInstanceOf(StepResult.Stall.class);
    UnikernelStatus s = step.status();
    assertThat(condition(s, Conditions.STALLED)).isEqualTo("True RevisionConflict");
    String message = StatusConditions.find(s.conditions, Conditions.STALLED).message;
    assertThat(message).contains(NS + "/" + v2 + " is not a revision of Unikernel default/web")
        .contains(squatter.names()).contains("Nothing was started from it");
    assertThat(h.events.warnings.subList(warnings, h.events.warnings.size()))
        .singleElement().asString().startsWith("RevisionConflict: ");
    assertThat(local.calls).as("nothing started, nothing stopped").hasSize(calls);
    assertThat(local.observe(h.fleetId()).count(v1)).isEqualTo(2);
    assertThat(local.observe(h.fleetId()).count(v2)).isZero();
    assertThat(s.currentRevision).isEqualTo(v1);
    assertThat(s.readyReplicas).as("the last observation is kept").isEqualTo(2);
    assertThat(h.revisions.byName.get(v2)).as("the object is left to whoever made it").isSameAs(made);
    // its deletion may wake nobody (it need not reference this Unikernel): looked at again
    assertThat(UnikernelReconciler.requeue(step.result(), step.context(), s).getScheduleDelay())
        .contains(UnikernelReconciler.RESYNC.toMillis());
  }

  /** Pinning another Unikernel's revision says so, and changes nothing. */
  @Test
  void aPinToAnotherUnikernelsRevisionStallsNamingItsOwner() {
    var h = new PipelineHarness(Unikernels.local(NS, "web", artifact, 2, "--version=v1"), local);
    h.settle(10);
    Unikernel other = Unikernels.local(NS, "other", artifact, 1, "--version=OTHER");
    other.getMetadata().setUid("uid-other");
    UnikernelRevision theirs = RevisionModel.desired(other);
    theirs.getMetadata().setCreationTimestamp("2026-01-01T00:30:00Z");
    h.revisions.byName.put(theirs.getMetadata().getName(), theirs);
    int calls = local.calls.size();

    h.uk.getSpec().revision = theirs.getMetadata().getName();
    h.uk.getMetadata().setGeneration(2L);
    var step = h.reconcile();

    assertThat(step.result()).isInstanceOf(StepResult.Stall.class);
    assertThat(condition(step.status(), Conditions.STALLED)).isEqualTo("True RevisionConflict");
    assertThat(StatusConditions.find(step.status().conditions, Conditions.STALLED).message)
        .contains("spec.revision names default/" + theirs.getMetadata().getName() + " is not a revision of Unikernel")
        .contains("it is controlled by Unikernel other (uid uid-other)")
        .contains("Only this Unikernel's own revisions can be pinned");
    assertThat(local.calls).hasSize(calls);
  }

  /**
   * Old revisions are collected down to revisionHistoryLimit — never another party's object,
   * even one the informer hands over (an ownerReference to this Unikernel that does not control).
   */
  @Test
  void historyCollectionNeverDeletesARevisionThisUnikernelDoesNotControl() {
    var h = new PipelineHarness(Unikernels.local(NS, "web", artifact, 1, "--version=v1"), local);
    h.uk.getSpec().revisionHistoryLimit = 0;
    Unikernel old = Unikernels.local(NS, "web", artifact, 1, "--version=BYSTANDER");
    old.getMetadata().setUid("uid-web");
    UnikernelRevision bystander = RevisionModel.desired(old);
    bystander.getMetadata().getOwnerReferences().get(0).setController(false);
    bystander.getMetadata().setCreationTimestamp("2025-01-01T00:00:00Z");
    h.revisions.byName.put(bystander.getMetadata().getName(), bystander);
    for (String v : List.of("v1", "v2", "v3")) {
      h.uk.getSpec().bootArgs = List.of("--version=" + v);
      h.uk.getMetadata().setGeneration(h.uk.getMetadata().getGeneration() + 1);
      h.settleThroughWindows();
    }
    assertThat(h.revisions.writes).filteredOn(w -> w.startsWith("delete ")).isNotEmpty();
    assertThat(h.revisions.writes).doesNotContain("delete " + bystander.getMetadata().getName());
    assertThat(h.revisions.byName).containsKey(bystander.getMetadata().getName());
  }

  /** A forged value in status, and what the reconcile must rebuild it as. */
  record Forged(String field, BiConsumer<UnikernelStatus, String> forge, java.util.function.Function<UnikernelStatus,
      String> read, String rebuiltAs) {
    @Override
    public String toString() {
      return field;
    }
  }

  static Stream<Forged> forgeries() {
    return Stream.of(
        new Forged("currentRevision", (s, v) -> s.currentRevision = v, s -> s.currentRevision, "v2"),
        new Forged("lastGoodRevision", (s, v) -> s.lastGoodRevision = v, s -> s.lastGoodRevision, "v1"),
        new Forged("previousRevision", (s, v) -> s.previousRevision = v, s -> s.previousRevision, "v1"),
        new Forged("failedRevision", (s, v) -> s.failedRevision = v, s -> s.failedRevision, null),
        new Forged("updateRevision", (s, v) -> s.updateRevision = v, s -> s.updateRevision, "v2"));
  }

  /**
   * A fleet just promoted from v1 to v2 (v1 kept warm, v2 not yet verified); one revision its
   * status names is forged to another Unikernel's. The reconcile warns (UntrustedStatus, naming
   * the field and value), rebuilds the value from what runs, and writes it over the forgery.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("forgeries")
  void aForgedRevisionInStatusIsDroppedRebuiltFromWhatRunsAndOverwritten(Forged forged) {
    var h = new PipelineHarness(Unikernels.local(NS, "web", artifact, 2, "--version=v1"), local);
    h.settleThroughWindows();
    String v1 = h.uk.getStatus().currentRevision;
    h.uk.getSpec().rollout.keepPreviousSeconds = 600;
    h.uk.getSpec().rollout.verificationSeconds = 600;
    h.uk.getSpec().bootArgs = List.of("--version=v2");
    h.uk.getMetadata().setGeneration(2L);
    h.settle(10);
    String v2 = h.uk.getStatus().updateRevision;
    assertThat(h.uk.getStatus().promotedTime).as(Json.write(h.uk.getStatus())).isNotNull();
    assertThat(h.uk.getStatus().previousRevision).isEqualTo(v1);
    assertThat(h.uk.getStatus().lastGoodRevision).isEqualTo(v1);
    int warnings = h.events.warnings.size();

    forged.forge().accept(h.uk.getStatus(), OTHERS);
    var step = h.reconcile();

    String expected = forged.rebuiltAs() == null ? null : forged.rebuiltAs().equals("v1") ? v1 : v2;
    assertThat(forged.read().apply(step.status())).isEqualTo(expected);
    assertThat(forged.read().apply(h.uk.getStatus())).as("written over the forgery").isEqualTo(expected);
    assertThat(h.events.warnings.subList(warnings, h.events.warnings.size()))
        .filteredOn(w -> w.startsWith("UntrustedStatus: "))
        .singleElement().asString()
        .contains("status." + forged.field() + " named " + OTHERS + ", which is not one of this Unikernel's revisions")
        .contains("rebuilt as " + (expected == null || forged.field().equals("updateRevision") ? "none" : expected));
    assertThat(local.observe(h.fleetId()).count(v2)).as("the fleet runs on").isEqualTo(2);
    h.settle(10);
    assertThat(h.uk.getStatus().updateRevision).isEqualTo(v2);
    assertThat(h.uk.getStatus().currentRevision).isEqualTo(v2);
  }

  /**
   * The case: a forged lastGoodRevision naming another Unikernel's revision made the
   * deadline rollback stall ("is gone"); it must return to v1, which still runs.
   */
  @Test
  void aForgedLastGoodDoesNotBreakTheDeadlineRollback() {
    var h = new PipelineHarness(Unikernels.local(NS, "web", artifact, 2, "--version=v1"), local);
    h.uk.getSpec().rollout.progressDeadlineSeconds = 30;
    h.settleThroughWindows();
    String v1 = h.uk.getStatus().currentRevision;
    assertThat(h.uk.getStatus().lastGoodRevision).isEqualTo(v1);

    h.uk.getSpec().bootArgs = List.of("--version=v2");
    h.uk.getMetadata().setGeneration(2L);
    h.supervision.readyRevisions = Set.of(v1);
    h.reconcile();
    h.uk.getStatus().lastGoodRevision = OTHERS;
    h.clock.advance(Duration.ofSeconds(31));
    var rolledBack = h.reconcile();

    assertThat(rolledBack.result()).isInstanceOf(StepResult.Continue.class);
    assertThat(rolledBack.events()).contains("RolledBack");
    UnikernelStatus s = h.uk.getStatus();
    assertThat(s.updateRevision).isEqualTo(v1);
    assertThat(s.lastGoodRevision).isEqualTo(v1);
    assertThat(s.failedRevision).isNotNull().isNotEqualTo(v1);
    assertThat(h.events.warnings).anyMatch(w -> w.startsWith("UntrustedStatus: status.lastGoodRevision named " + OTHERS));
    h.settleThroughWindows();
    assertThat(condition(h.uk.getStatus(), Conditions.STALLED)).isEqualTo("True RolledBack");
    assertThat(local.observe(h.fleetId()).count(v1)).isEqualTo(2);
  }

  /** Unit level: a status naming only this Unikernel's revisions, consistent with what runs, is believed as it is. */
  @Test
  void aConsistentStatusIsBelievedAsItIs() {
    var state = new io.dustcloud.core.rollout.RolloutState("a", "b", "a", null, null, "a",
        java.time.Instant.EPOCH, null);
    var verified = StatusTrust.verify(state, Set.of("a", "b"),
        java.util.Map.of("a", new io.dustcloud.core.rollout.RevisionCounts(2, 2)));
    assertThat(verified.state()).isEqualTo(state);
    assertThat(verified.dropped()).isEmpty();
    assertThat(Reason.UNTRUSTED_STATUS.value()).isEqualTo("UntrustedStatus");
  }

}
