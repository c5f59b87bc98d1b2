package io.dustcloud.operator;

import io.dustcloud.testing.EndToEnd;
import io.dustcloud.core.Reason;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dustcloud.api.v1alpha1.Unikernel;
import io.dustcloud.provider.FleetId;
import io.dustcloud.provider.InstanceView;
import io.dustcloud.testing.ExampleApp;
import io.dustcloud.testing.LocalOperator;
import io.dustcloud.testing.Unikernels;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Health checks and repairs with the local provider and the real example unikernel. */
@EndToEnd
class HealthRepairEndToEndTest {
  static final String NS = "default";
  static final Duration WAIT = Duration.ofSeconds(30);
  @TempDir Path dir;
  LocalOperator env;
  KubernetesClient client;

  @BeforeEach
  void start() throws Exception {
    env = LocalOperator.start(dir);
    client = env.client;
  }

  @AfterEach
  void stop() {
    env.close();
  }

  @Test
  void hungInstanceIsReplaced() throws Exception {
    Unikernel uk = Unikernels.local(NS, "hang", ExampleApp.BINARY, 3);
    uk.getSpec().healthCheck.failureThreshold = 3;
    client.resource(uk).create();
    awaitReady("hang", 3);
    InstanceView victim = instances("hang").get(0);

    hang(victim.address());

    await().ignoreExceptions().atMost(WAIT).untilAsserted(() -> {
      assertThat(ids("hang")).doesNotContain(victim.id()).hasSize(3);
      // status, not only the provider, must have caught up: the repair is counted
      assertThat(get("hang").getStatus().restarts).isEqualTo(1);
      assertThat(get("hang").getStatus().readyReplicas).isEqualTo(3);
    });
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(events("hang")).anySatisfy(e -> {
      assertThat(e.getReason()).isEqualTo(Reason.INSTANCE_REPAIRED.value());
      assertThat(e.getType()).isEqualTo("Warning");
      assertThat(e.getMessage()).contains(victim.id()).contains("stopped answering");
    }));
    await().ignoreExceptions().atMost(WAIT).untilAsserted(() ->
        assertThat(StatusConditions.find(get("hang").getStatus().conditions, Conditions.DEGRADED).status).isEqualTo("False"));
  }

  @Test
  void killingThirtyPercentRestoresTheFleet() {
    Unikernel uk = Unikernels.local(NS, "many", ExampleApp.BINARY, 10);
    client.resource(uk).create();
    awaitReady("many", 10);
    List<InstanceView> before = instances("many");
    Set<Long> killed = ExampleApp.instances().stream().limit(3).map(p -> {
      p.destroyForcibly();
      return p.pid();
    }).collect(Collectors.toSet());
    assertThat(killed).hasSize(3);

    await().ignoreExceptions().atMost(WAIT).untilAsserted(() -> {
      assertThat(ExampleApp.instances()).hasSize(10);
      assertThat(get("many").getStatus().readyReplicas).isEqualTo(10);
    });
    assertThat(ids("many")).hasSize(10).containsAnyElementsOf(before.stream().map(InstanceView::id).toList());
  }

  /**
   * Every boot misses its startup deadline: a crash loop (kubelet's startup-probe rule), not the
   * breaker, which is for instances that served and then failed. Retried with a growing delay,
   * Degraded and never Stalled, so it recovers by itself once what the probe needs is there.
   */
  @Test
  void wrongHealthPathBacksOffAsACrashLoopWithoutEndlessRestarts() throws Exception {
    Unikernel uk = Unikernels.local(NS, "wrong", ExampleApp.BINARY, 3);
    uk.getSpec().healthCheck.http = new io.dustcloud.api.v1alpha1.HealthCheckSpec.HttpProbe();
    uk.getSpec().healthCheck.http.path = "/healthz-typo";
    uk.getSpec().healthCheck.startupDeadlineSeconds = 2;
    client.resource(uk).create();

    java.util.regex.Pattern round = java.util.regex.Pattern.compile("restarted (\\d+) times?, backing off (\\d+)s");
    await().ignoreExceptions().atMost(WAIT).untilAsserted(() -> {
      var degraded = StatusConditions.find(get("wrong").getStatus().conditions, Conditions.DEGRADED);
      assertThat(degraded.status).isEqualTo("True");
      assertThat(degraded.reason).isEqualTo(Reason.CRASH_LOOP_BACK_OFF.value());
      assertThat(degraded.message).contains("no passing probe within the startup deadline of 2s")
          .contains("HTTP 404 from GET /healthz-typo");
      var m = round.matcher(degraded.message);
      assertThat(m.find()).isTrue();
      // each round replaces at most the 3 instances
      assertThat(get("wrong").getStatus().restarts).isLessThanOrEqualTo(3L * Integer.parseInt(m.group(1)));
    });
    var status = get("wrong").getStatus();
    assertThat(StatusConditions.find(status.conditions, Conditions.STALLED).status).isEqualTo("False");
    assertThat(StatusConditions.find(status.conditions, Conditions.READY).status).isEqualTo("False");
  }

  /** Tells the instance to stop answering; the request itself is never answered either. */
  static void hang(String address) throws Exception {
    try {
      HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create("http://" + address + "/admin/hang")).timeout(Duration.ofMillis(500))
              .POST(HttpRequest.BodyPublishers.noBody()).build(),
          HttpResponse.BodyHandlers.discarding());
    } catch (java.net.http.HttpTimeoutException expected) {
      // a hung instance answers nothing
    }
  }

  List<InstanceView> instances(String name) {
    return env.local().observe(new FleetId(NS, name)).instances();
  }

  Set<String> ids(String name) {
    return instances(name).stream().map(InstanceView::id).collect(Collectors.toSet());
  }

  Unikernel get(String name) {
    return env.get(name);
  }


  List<Event> events(String name) {
    return client.v1().events().inNamespace(NS).list().getItems().stream()
        .filter(e -> name.equals(e.getInvolvedObject().getName())).toList();
  }

  void awaitReady(String name, int replicas) {
    env.awaitReady(name, replicas);
  }

}
