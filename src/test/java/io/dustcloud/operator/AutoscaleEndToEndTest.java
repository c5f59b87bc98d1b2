package io.dustcloud.operator;

import io.dustcloud.testing.EndToEnd;
import io.dustcloud.binding.Bindings;
import io.dustcloud.wiring.DustcloudOperator;
import io.dustcloud.core.Reason;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dustcloud.api.v1alpha1.ScalingSpec;
import io.dustcloud.api.v1alpha1.Unikernel;
import io.dustcloud.provider.local.LocalProvider;
import io.dustcloud.testing.ExampleApp;
import io.dustcloud.testing.MockApiServer;
import io.dustcloud.testing.Unikernels;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The autoscaler end to end: the operator, the local provider and the example unikernel as
 * processes, real scrapes of its CPU counter. Load on the fleet endpoint grows the fleet;
 * without load it shrinks back to minReplicas. Small windows keep it under a minute.
 */
@EndToEnd
class AutoscaleEndToEndTest {
  static final String NS = "default";
  @TempDir Path dir;
  MockApiServer api;
  KubernetesClient client;
  DustcloudOperator operator;
  final AtomicBoolean loading = new AtomicBoolean();
  final List<Thread> load = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    ExampleApp.binary();
    api = new MockApiServer();
    client = api.client();
    operator = new DustcloudOperator(client, OperatorConfig.dev(dir, 0),
        Bindings.of(new LocalProvider(dir.resolve("local"))), Clock.systemUTC()).start();
  }

  @AfterEach
  void stop() throws InterruptedException {
    stopLoad();
    operator.close();
    api.close();
    ExampleApp.killDescendants();
  }

  /** A few threads asking for 20 ms of CPU per request, loopback only, until stopped (at most 60 s). */
  void startLoad(String endpoint, int threads) {
    loading.set(true);
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    for (int i = 0; i < threads; i++) {
      Thread t = new Thread(() -> {
        while (loading.get() && System.nanoTime() < deadline) {
          ExampleApp.get(endpoint, "/?cpu_ms=20");
        }
      }, "load-" + i);
      t.setDaemon(true);
      t.start();
      load.add(t);
    }
  }

  void stopLoad() throws InterruptedException {
    loading.set(false);
    for (Thread t : load) {
      t.join(5_000);
    }
    load.clear();
  }

  @Test
  void loadGrowsTheFleetAndItShrinksBackToMinReplicasWithoutIt() throws Exception {
    Unikernel uk = Unikernels.local(NS, "busy", ExampleApp.BINARY, 1);
    ScalingSpec s = uk.getSpec().scaling;
    s.maxReplicas = 4;
    s.metric = ScalingSpec.Metric.cpu;
    s.target = 20.0;
    s.stableWindowSeconds = 8;
    s.panicWindowSeconds = 3;
    s.scaleDownDelaySeconds = 3;
    client.resource(uk).create();
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      assertThat(get().getStatus()).isNotNull();
      assertThat(get().getStatus().readyReplicas).isEqualTo(1);
    });
    assertThat(get().getStatus().desiredReplicas).as("idle: stays at minReplicas").isEqualTo(1);

    startLoad(get().getStatus().endpoint, 4);
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
      Unikernel now = get();
      assertThat(now.getStatus().desiredReplicas).isGreaterThanOrEqualTo(2);
      assertThat(now.getStatus().readyReplicas).isGreaterThanOrEqualTo(2);
    });
    Unikernel grown = get();
    assertThat(grown.getStatus().lastScaleReason).contains("cpu ");
    assertThat(grown.getStatus().lastScaleTime).isNotNull();
    assertThat(ExampleApp.instances().size()).isGreaterThanOrEqualTo(2);

    stopLoad();
    await().atMost(Duration.ofSeconds(45)).untilAsserted(() -> {
      Unikernel now = get();
      assertThat(now.getStatus().desiredReplicas).isEqualTo(1);
      assertThat(now.getStatus().replicas).isEqualTo(1);
    });
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(ExampleApp.instances()).hasSize(1));
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
        assertThat(reasons()).contains(Reason.SCALED_UP.value(), Reason.SCALED_DOWN.value()));
    var limited = StatusConditions.find(get().getStatus().conditions, Conditions.SCALING_LIMITED);
    assertThat(limited).isNotNull();
  }

  Unikernel get() {
    return client.resources(Unikernel.class).inNamespace(NS).withName("busy").get();
  }

  List<String> reasons() {
    return client.v1().events().inNamespace(NS).list().getItems().stream().map(Event::getReason).toList();
  }
}
