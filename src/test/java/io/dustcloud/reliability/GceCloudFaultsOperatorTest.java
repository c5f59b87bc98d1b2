package io.dustcloud.reliability;

import io.dustcloud.testing.EndToEnd;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dustcloud.api.v1alpha1.Condition;
import io.dustcloud.api.v1alpha1.Unikernel;
import io.dustcloud.operator.Conditions;
import io.dustcloud.operator.StatusConditions;
import io.dustcloud.testing.Unikernels;
import io.dustcloud.testing.gce.FakeCompute;
import io.dustcloud.testing.gce.FakeFaults;
import io.dustcloud.testing.gce.GceOperator;
import io.dustcloud.testing.gce.GceTesting;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator (reconciler, supervisors, GCE provider) on a Compute fake that fails 20 % of
 * calls (429, 503, rateLimitExceeded, lost replies), fails 5 % of operations and adds latency:
 * several fleets converge, the calls stay within the budget, a long outage is explained in the
 * Reconciling condition with GCE's reason, and delete leaves nothing behind.
 */
@EndToEnd
class GceCloudFaultsOperatorTest {
  static final String NS = "default";
  static final int CALLS_PER_MINUTE = 1200;
  static final int FLEETS = 4;
  @TempDir Path dir;
  GceOperator gce;
  KubernetesClient client;
  FakeCompute fake;

  @BeforeEach
  void start() throws Exception {
    gce = GceOperator.start(dir, CALLS_PER_MINUTE, Duration.ofSeconds(2));
    client = gce.client;
    fake = gce.fake;
  }

  @AfterEach
  void stop() {
    gce.close();
  }

  /** Budgeted calls (operation polls made by the client are not budgeted). */
  long budgeted() {
    return fake.calls().entrySet().stream().filter(e -> !e.getKey().startsWith("operations."))
        .mapToLong(java.util.Map.Entry::getValue).sum();
  }

  @Test
  void fleetsConvergeThroughFaultsWithinTheBudgetAndExplainAnOutage() {
    fake.faults.transientRate = 0.2;
    fake.faults.operationErrorRate = 0.05;
    fake.faults.latencyMillis = 20;
    List<long[]> samples = new CopyOnWriteArrayList<>();
    Thread sampler = new Thread(() -> {
      while (!Thread.currentThread().isInterrupted()) {
        samples.add(new long[] {System.nanoTime(), budgeted()});
        try {
          Thread.sleep(250);
        } catch (InterruptedException e) {
          return;
        }
      }
    });
    sampler.setDaemon(true);
    sampler.start();
    try {
      for (int i = 0; i < FLEETS; i++) {
        client.resource(Unikernels.gce(NS, "f" + i, GceTesting.PROJECT, GceTesting.ZONE, 2)).create();
      }
      for (int i = 0; i < FLEETS; i++) {
        awaitReady("f" + i, 2);
      }

      // a long outage: every call 503 until cleared; a scale change must say why it waits
      fake.faults.failNext(1_000_000, FakeFaults.Kind.UNAVAILABLE);
      Unikernel f0 = client.resources(Unikernel.class).inNamespace(NS).withName("f0").get();
      f0.getSpec().scaling.minReplicas = 3;
      client.resource(f0).update();
      await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
        Unikernel uk = client.resources(Unikernel.class).inNamespace(NS).withName("f0").get();
        Condition reconciling = StatusConditions.find(uk.getStatus().conditions, Conditions.RECONCILING);
        assertThat(reconciling).isNotNull();
        assertThat(reconciling.status).isEqualTo("True");
        assertThat(reconciling.reason).isEqualTo("GceBackendError");
        assertThat(reconciling.message).contains("unavailable");
        assertThat(StatusConditions.isTrue(uk.getStatus().conditions, Conditions.STALLED)).isFalse();
      });
      fake.faults.failNext(0, FakeFaults.Kind.UNAVAILABLE);
      awaitReady("f0", 3);
    } finally {
      sampler.interrupt();
    }
    // the budget: a token bucket of CALLS_PER_MINUTE with one second's burst
    List<String> over = new ArrayList<>();
    double perSecond = CALLS_PER_MINUTE / 60.0;
    for (int a = 0; a < samples.size(); a++) {
      for (int b = a + 1; b < samples.size(); b++) {
        double seconds = (samples.get(b)[0] - samples.get(a)[0]) / 1e9;
        long calls = samples.get(b)[1] - samples.get(a)[1];
        if (seconds >= 5 && calls > perSecond * (seconds + 1) + perSecond) {
          over.add(calls + " calls in " + seconds + " s");
        }
      }
    }
    assertThat(over).as("windows over the budget of %d/min", CALLS_PER_MINUTE).isEmpty();

    fake.faults.clear();
    for (int i = 0; i < FLEETS; i++) {
      client.resources(Unikernel.class).inNamespace(NS).withName("f" + i).delete();
    }
    await().atMost(Duration.ofSeconds(60)).until(
        () -> client.resources(Unikernel.class).inNamespace(NS).list().getItems().isEmpty());
    assertThat(fake.groupKeys()).isEmpty();
    assertThat(fake.templateNames()).isEmpty();
    assertThat(fake.imageNames()).isEmpty();
  }

  private void awaitReady(String name, int replicas) {
    await().atMost(Duration.ofSeconds(120)).untilAsserted(() -> {
      Unikernel uk = client.resources(Unikernel.class).inNamespace(NS).withName(name).get();
      assertThat(CrashHarness.check(uk, replicas, null, null, replicas)).as(name).isNull();
    });
  }
}
