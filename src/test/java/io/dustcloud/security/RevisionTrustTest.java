package io.dustcloud.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dustcloud.testing.DevApiOperator;
import io.dustcloud.api.v1alpha1.Unikernel;
import io.dustcloud.api.v1alpha1.UnikernelRevision;
import io.dustcloud.core.Reason;
import io.dustcloud.dev.DevApiServer;
import io.dustcloud.operator.Conditions;
import io.dustcloud.operator.RevisionModel;
import io.dustcloud.operator.StatusConditions;
import io.dustcloud.provider.FleetId;
import io.dustcloud.provider.InstanceView;
import io.dustcloud.testing.EndToEnd;
import io.dustcloud.testing.TestingFleetProvider;
import io.dustcloud.testing.Unikernels;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16's attacks on what the operator believes, against the dev API server with a real
 * operator (the testing provider stands in for processes): a hand-made UnikernelRevision
 * squatting the name of a fleet's next revision, and revisions forged into a fleet's status
 * through {@code /status}. Anyone who may create {@code unikernelrevisions} or write
 * {@code unikernels/status} can do this; the operator must neither run the squatter nor act on
 * the forged values, and a bystander fleet must not notice anything.
 *
 * <p>Each test has its own API server, operator and provider, and spends most of its time
 * waiting for the operator's 30 s resync (a status write or a deleted squatter wakes no
 * reconcile): the tests run side by side.
 */
@EndToEnd
class RevisionTrustTest {
  static final String NS = "default";
  static final Duration WAIT = Duration.ofSeconds(90);
  @TempDir Path dir;
  DevApiOperator env;
  DevApiServer api;
  KubernetesClient client;
  TestingFleetProvider provider;
  Path artifact;
  String v1;
  String bystanderRevision;
  List<InstanceView> bystanderInstances;

  @BeforeEach
  void start() throws Exception {
    env = DevApiOperator.start(dir);
    api = env.api;
    client = env.client;
    provider = env.provider;
    artifact = env.artifact;
    Unikernel hello = Unikernels.local(NS, "hello", artifact, 2, "--version=v1");
    hello.getSpec().rollout.verificationSeconds = 1;
    hello.getSpec().rollout.keepPreviousSeconds = 1;
    hello.getSpec().rollout.progressDeadlineSeconds = 15;
    client.resource(hello).create();
    client.resource(Unikernels.local(NS, "bystander", artifact, 1, "--version=b1")).create();
    awaitReady("hello", 2);
    awaitReady("bystander", 1);
    await().atMost(WAIT).until(() -> get("hello").getStatus().lastGoodRevision != null);
    v1 = get("hello").getStatus().currentRevision;
    assertThat(get("hello").getStatus().lastGoodRevision).isEqualTo(v1);
    bystanderRevision = get("bystander").getStatus().currentRevision;
    bystanderInstances = provider.observe(new FleetId(NS, "bystander")).instances();
  }

  @AfterEach
  void stop() {
    env.close();
  }

  /**
   * A revision with the name (and spec.hash) of hello's v2, made by hand with no owner and
   * {@code --version=SQUAT}: the create answers 409 and the operator used to roll the squatter
   * out. Now: Stalled/RevisionConflict naming the object, a Warning Event, v1 runs on untouched;
   * once the squatter is deleted the fleet's own v2 is created and rolled out.
   */
  @Test
  @Execution(ExecutionMode.CONCURRENT)
  void aSquattedRevisionIsNeverRolledOut() {
    String v2 = nextRevision("--version=v2");
    UnikernelRevision squatter = desiredFor("--version=v2");
    squatter.getMetadata().setOwnerReferences(List.of());
    squatter.getSpec().bootArgs = List.of("--version=SQUAT");
    String squatterVersion = client.resource(squatter).create().getMetadata().getResourceVersion();
    FleetId hello = new FleetId(NS, "hello");
    List<InstanceView> helloInstances = provider.observe(hello).instances();

    setBootArgs("hello", "--version=v2");

    await().atMost(WAIT).untilAsserted(() -> {
      var stalled = StatusConditions.find(get("hello").getStatus().conditions, Conditions.STALLED);
      assertThat(stalled.status + " " + stalled.reason).isEqualTo("True " + Reason.REVISION_CONFLICT.value());
      assertThat(stalled.message).contains(NS + "/" + v2 + " is not a revision of Unikernel default/hello")
          .contains("no controlling ownerReference").contains("Nothing was started from it");
    });
    await().atMost(WAIT).untilAsserted(() -> assertThat(events("hello")).anySatisfy(e -> {
      assertThat(e.getType()).isEqualTo("Warning");
      assertThat(e.getReason()).isEqualTo(Reason.REVISION_CONFLICT.value());
      assertThat(e.getMessage()).contains(NS + "/" + v2);
    }));
    assertThat(provider.observe(hello).instances()).as("nothing started from the squatter, nothing stopped")
        .isEqualTo(helloInstances);
    assertThat(get("hello").getStatus().currentRevision).isEqualTo(v1);
    UnikernelRevision left = revision(v2);
    assertThat(left.getMetadata().getResourceVersion()).as("the squatter is left as made").isEqualTo(squatterVersion);
    assertBystanderUntouched();

    // the squatter removed, the fleet's own v2 is created and rolled out
    client.resource(left).delete();
    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(get("hello").getStatus().currentRevision).isEqualTo(v2);
      UnikernelRevision own = revision(v2);
      assertThat(own.getSpec().bootArgs).containsExactly("--version=v2");
      assertThat(own.getMetadata().getOwnerReferences()).singleElement()
          .satisfies(o -> assertThat(o.getUid()).isEqualTo(get("hello").getMetadata().getUid()));
    });
    assertBystanderUntouched();
  }

  /** A currentRevision forged through /status is dropped with a Warning Event and written over. */
  @Test
  @Execution(ExecutionMode.CONCURRENT)
  void aForgedCurrentRevisionIsDiscardedWithAnEvent() {
    patchStatus("hello", "{\"status\": {\"currentRevision\": \"evil-0123456789\"}}");

    await().atMost(WAIT).untilAsserted(() -> assertThat(events("hello")).anySatisfy(e -> {
      assertThat(e.getType()).isEqualTo("Warning");
      assertThat(e.getReason()).isEqualTo(Reason.UNTRUSTED_STATUS.value());
      assertThat(e.getMessage()).contains("status.currentRevision named evil-0123456789").contains("rebuilt as " + v1);
    }));
    await().atMost(WAIT).untilAsserted(() -> assertThat(get("hello").getStatus().currentRevision).isEqualTo(v1));
    assertThat(provider.observe(new FleetId(NS, "hello")).count(v1)).isEqualTo(2);
    assertBystanderUntouched();
  }

  /**
   * hello rolls to a v2 that never becomes ready; its lastGoodRevision is forged to the
   * bystander's revision. The progress deadline must still roll back to v1, which runs.
   */
  @Test
  @Execution(ExecutionMode.CONCURRENT)
  void aForgedLastGoodRevisionDoesNotBreakTheDeadlineRollback() {
    String v2 = nextRevision("--version=v2");
    provider.brokenRevisions.add(v2);
    setBootArgs("hello", "--version=v2");
    await().atMost(WAIT).until(() -> v2.equals(get("hello").getStatus().updateRevision));

    patchStatus("hello", "{\"status\": {\"lastGoodRevision\": \"" + bystanderRevision + "\"}}");

    await().atMost(WAIT).untilAsserted(() -> {
      Unikernel uk = get("hello");
      var rolledBack = StatusConditions.find(uk.getStatus().conditions, Conditions.ROLLED_BACK);
      assertThat(rolledBack).isNotNull();
      assertThat(rolledBack.status).isEqualTo("True");
      assertThat(rolledBack.message).contains("ProgressDeadlineExceeded");
      assertThat(uk.getStatus().updateRevision).isEqualTo(v1);
      assertThat(uk.getStatus().failedRevision).isEqualTo(v2);
      assertThat(uk.getStatus().lastGoodRevision).isEqualTo(v1);
    });
    assertThat(events("hello")).anySatisfy(e -> {
      assertThat(e.getReason()).isEqualTo(Reason.UNTRUSTED_STATUS.value());
      assertThat(e.getMessage()).contains("status.lastGoodRevision named " + bystanderRevision);
    });
    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(provider.observe(new FleetId(NS, "hello")).count(v1)).isEqualTo(2);
      assertThat(provider.observe(new FleetId(NS, "hello")).count(v2)).isZero();
    });
    assertBystanderUntouched();
  }

  private void assertBystanderUntouched() {
    Unikernel b = get("bystander");
    assertThat(b.getStatus().currentRevision).isEqualTo(bystanderRevision);
    assertThat(StatusConditions.isTrue(b.getStatus().conditions, Conditions.READY)).isTrue();
    assertThat(provider.observe(new FleetId(NS, "bystander")).instances()).isEqualTo(bystanderInstances);
    assertThat(revision(bystanderRevision)).isNotNull();
    assertThat(events("bystander")).noneSatisfy(e -> assertThat(e.getType()).isEqualTo("Warning"));
  }

  /** What the operator would create for hello with these boot args (its uid as stored). */
  private UnikernelRevision desiredFor(String... bootArgs) {
    Unikernel next = get("hello");
    next.getSpec().bootArgs = List.of(bootArgs);
    return RevisionModel.desired(next);
  }

  private String nextRevision(String... bootArgs) {
    return desiredFor(bootArgs).getMetadata().getName();
  }

  private void setBootArgs(String name, String... bootArgs) {
    Unikernel uk = get(name);
    uk.getSpec().bootArgs = List.of(bootArgs);
    Unikernels.update(client, uk);
  }

  private void patchStatus(String name, String mergePatch) {
    client.genericKubernetesResources("dustcloud.io/v1alpha1", "Unikernel").inNamespace(NS).withName(name)
        .subresource("status").patch(PatchContext.of(PatchType.JSON_MERGE), mergePatch);
  }

  private Unikernel get(String name) {
    return client.resources(Unikernel.class).inNamespace(NS).withName(name).get();
  }

  private UnikernelRevision revision(String name) {
    return client.resources(UnikernelRevision.class).inNamespace(NS).withName(name).get();
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

  private List<Event> events(String name) {
    return client.v1().events().inNamespace(NS).list().getItems().stream()
        .filter(e -> name.equals(e.getInvolvedObject().getName())).toList();
  }
}
