package io.dustcloud.operator;

import io.dustcloud.testing.EndToEnd;
import io.dustcloud.core.Reason;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dustcloud.api.v1alpha1.Unikernel;
import io.dustcloud.api.v1alpha1.UnikernelRevision;
import io.dustcloud.testing.Rollouts;
import io.dustcloud.testing.ExampleApp;
import io.dustcloud.testing.LocalOperator;
import io.dustcloud.testing.SteadyLoad;
import io.dustcloud.testing.Unikernels;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rolling updates and rollbacks with the local provider and the example unikernel under steady
 * load: not one request may fail.
 */
@EndToEnd
class RolloutEndToEndTest {
  static final String NS = "default";
  static final Duration WAIT = Duration.ofSeconds(40);
  @TempDir Path dir;
  LocalOperator env;
  KubernetesClient client;
  Rollouts rollouts;

  @BeforeEach
  void start() throws Exception {
    env = LocalOperator.start(dir);
    client = env.client;
    rollouts = new Rollouts(client, NS, "web", WAIT);
  }

  @AfterEach
  void stop() {
    env.close();
  }

  @Test
  void rollsForwardRollsBackAutomaticallyAndPinsWithoutFailedRequests() {
    Unikernel uk = Unikernels.local(NS, "web", ExampleApp.BINARY, 3, "--version=v1");
    uk.getSpec().rollout.maxSurge = new IntOrString(1);
    uk.getSpec().rollout.maxUnavailable = new IntOrString(0);
    uk.getSpec().rollout.progressDeadlineSeconds = 6;
    uk.getSpec().rollout.verificationSeconds = 1;
    uk.getSpec().rollout.keepPreviousSeconds = 2;
    client.resource(uk).create();
    String v1 = rollouts.awaitPromoted(null);
    rollouts.awaitLastGood(v1);

    try (SteadyLoad load = new SteadyLoad(get().getStatus().endpoint, 4)) {
      // v1 -> v2
      rollouts.setBootArgs("--version=v2");
      String v2 = rollouts.awaitPromoted(v1);
      rollouts.awaitLastGood(v2);
      assertThat(load.failed.get()).as("failed requests in the v1 -> v2 rollout; last: %s", load.lastFailure()).isZero();
      await().atMost(WAIT).untilAsserted(() -> assertThat(ExampleApp.instances()).hasSize(3));
      load.reset();
      awaitAnswers(load, "v2");

      // v2 -> broken v3: rolled back to v2 after the progress deadline
      rollouts.setBootArgs("--version=v3", "--broken");
      await().atMost(WAIT).untilAsserted(() -> {
        Unikernel now = get();
        var rolledBack = StatusConditions.find(now.getStatus().conditions, Conditions.ROLLED_BACK);
        assertThat(rolledBack).isNotNull();
        assertThat(rolledBack.status).isEqualTo("True");
        assertThat(rolledBack.message).contains("ProgressDeadlineExceeded");
        assertThat(now.getStatus().updateRevision).isEqualTo(v2);
        assertThat(now.getStatus().failedRevision).isNotNull().isNotEqualTo(v2);
        // kstatus Failed while the last good revision serves: Stalled, not Ready, Available
        assertThat(StatusConditions.find(now.getStatus().conditions, Conditions.STALLED).reason)
            .isEqualTo(Reason.ROLLED_BACK.value());
        assertThat(StatusConditions.isTrue(now.getStatus().conditions, Conditions.STALLED)).isTrue();
        assertThat(StatusConditions.isTrue(now.getStatus().conditions, Conditions.RECONCILING)).isFalse();
        assertThat(StatusConditions.isTrue(now.getStatus().conditions, Conditions.READY)).isFalse();
        assertThat(StatusConditions.isTrue(now.getStatus().conditions, Conditions.AVAILABLE)).isTrue();
      });
      String v3 = get().getStatus().failedRevision;
      await().atMost(WAIT).untilAsserted(() -> assertThat(running(v3)).isZero());
      assertThat(load.failed.get()).as("failed requests around the rollback; last: %s", load.lastFailure()).isZero();
      assertThat(load.answers.keySet()).allMatch(a -> !a.contains("v3"));
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
          assertThat(events()).contains(Reason.ROLLED_BACK.value()));
      // the user's spec was never touched
      assertThat(get().getSpec().bootArgs).containsExactly("--version=v3", "--broken");

      // pin v1: exactly that retained revision serves
      Unikernel pin = get();
      pin.getSpec().revision = v1;
      Unikernels.update(client, pin);
      load.reset();
      await().atMost(WAIT).untilAsserted(() -> {
        assertThat(get().getStatus().currentRevision).isEqualTo(v1);
        assertThat(running(v2)).isZero();
      });
      load.reset();
      awaitAnswers(load, "v1");
      assertThat(load.failed.get()).as("failed requests while pinning v1; last: %s", load.lastFailure()).isZero();
    }
  }

  @Test
  void pinningAMissingRevisionStallsAndChangesNothing() {
    Unikernel uk = Unikernels.local(NS, "web", ExampleApp.BINARY, 2, "--version=v1");
    client.resource(uk).create();
    String v1 = rollouts.awaitPromoted(null);
    Unikernel pin = get();
    pin.getSpec().revision = "web-0000000000";
    Unikernels.update(client, pin);
    await().atMost(WAIT).untilAsserted(() -> {
      var stalled = StatusConditions.find(get().getStatus().conditions, Conditions.STALLED);
      assertThat(stalled.status).isEqualTo("True");
      assertThat(stalled.reason).isEqualTo(Reason.REVISION_NOT_FOUND.value());
      assertThat(stalled.message).contains("web-0000000000").contains(v1).contains("Nothing was changed");
    });
    assertThat(running(v1)).isEqualTo(2);
  }

  void awaitAnswers(SteadyLoad load, String version) {
    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(load.total.get()).as("requests sent").isGreaterThan(20);
      assertThat(load.answers.keySet()).allMatch(a -> a.contains(version), "only " + version + " answers");
    });
  }

  long running(String revision) {
    return ExampleApp.instances().stream()
        .filter(p -> p.info().arguments().map(a -> String.join(" ", a)).orElse("").contains(versionOf(revision)))
        .count();
  }

  String versionOf(String revision) {
    UnikernelRevision r = client.resources(UnikernelRevision.class).inNamespace(NS).withName(revision).get();
    return r.getSpec().bootArgs.get(0);
  }

  List<String> events() {
    return client.v1().events().inNamespace(NS).list().getItems().stream().map(e -> e.getReason()).toList();
  }

  Unikernel get() {
    return client.resources(Unikernel.class).inNamespace(NS).withName("web").get();
  }
}
