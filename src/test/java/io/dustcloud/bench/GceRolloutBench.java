package io.dustcloud.bench;

import static org.awaitility.Awaitility.await;

import io.dustcloud.api.v1alpha1.Unikernel;
import io.dustcloud.testing.Rollouts;
import io.dustcloud.testing.Unikernels;
import io.dustcloud.testing.gce.FakeCompute;
import io.dustcloud.testing.gce.GceOperator;
import io.dustcloud.testing.gce.GceTesting;
import io.dustcloud.testing.gce.KeepAliveClient;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * {@code gce-rollout}: a GCE fleet of 4 on the Compute fake, instances that take 20 s (real
 * time) from creation to serving, behind the fake's load balancer; 4 client threads each on one
 * keep-alive connection at a time to {@code status.endpoint}. A v1 → v2 rollout, a broken v3
 * rolled back to v2, then 4 → 8 → 2. Counts failed requests per phase (an I/O error after the
 * client's one retry of an idempotent request on a reused connection, or a status other than
 * 200) and the requests the load balancer delivered to a backend failing its check.
 */
class GceRolloutBench {
  static final String NS = "default";
  static final String NAME = "web";
  static final long PROVISIONING_MS = 10_000;
  static final long STAGING_MS = 5_000;
  static final long BOOT_MS = 5_000;
  static final Duration WAIT = Duration.ofMinutes(4);
  static final int CLIENTS = 4;

  private final Map<String, AtomicLong> requests = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> failures = new ConcurrentHashMap<>();
  private final AtomicReference<String> phase = new AtomicReference<>("warmup");
  private final AtomicLong retries = new AtomicLong();
  private final List<String> failureSamples = java.util.Collections.synchronizedList(new ArrayList<>());

  @Test
  void gceRollout() throws Exception {
    BenchReport report = BenchReport.selected("gce-rollout");
    Path dir = Files.createTempDirectory("gce-rollout");
    FakeCompute fake = GceTesting.fake();
    fake.provisioningMillis = PROVISIONING_MS;
    fake.stagingMillis = STAGING_MS;
    fake.bootMillis = BOOT_MS;
    try (GceOperator gce = GceOperator.start(dir, fake, 60_000, Duration.ofSeconds(1))) {
      KubernetesClient client = gce.client;
      Rollouts rollouts = new Rollouts(client, NS, NAME, WAIT);
      Unikernel uk = Unikernels.gce(NS, NAME, GceTesting.PROJECT, GceTesting.ZONE, 4);
      uk.getSpec().scaling.maxReplicas = 4;
      uk.getSpec().bootArgs = List.of("--version=v1");
      uk.getSpec().rollout.maxSurge = new IntOrString(1);
      uk.getSpec().rollout.maxUnavailable = new IntOrString(0);
      uk.getSpec().rollout.progressDeadlineSeconds = 90;
      uk.getSpec().rollout.verificationSeconds = 1;
      uk.getSpec().rollout.keepPreviousSeconds = 0;
      uk.getSpec().healthCheck.startupDeadlineSeconds = 120;
      client.resource(uk).create();
      String v1 = rollouts.awaitPromoted(null);
      rollouts.awaitLastGood(v1);
      awaitServing(rollouts, v1, 4);
      String endpoint = rollouts.get().getStatus().endpoint;

      AtomicBoolean running = new AtomicBoolean(true);
      List<Thread> load = new ArrayList<>();
      for (int i = 0; i < CLIENTS; i++) {
        Thread t = new Thread(() -> drive(endpoint, running), "load-" + i);
        t.start();
        load.add(t);
      }
      try {
        phase.set("rollout");
        long start = System.nanoTime();
        rollouts.setBootArgs("--version=v2");
        String v2 = rollouts.awaitPromoted(v1);
        awaitServing(rollouts, v2, 4);
        double rolloutSeconds = (System.nanoTime() - start) / 1e9;
        rollouts.awaitLastGood(v2); // verified: a failure of the next revision rolls back to it

        phase.set("rollback");
        start = System.nanoTime();
        rollouts.setBootArgs("--version=v3", "--broken");
        await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> {
          var st = rollouts.get().getStatus();
          return st.failedRevision != null && v2.equals(st.currentRevision) && st.replicas != null && st.replicas == 4
              && st.readyReplicas != null && st.readyReplicas == 4;
        });
        double rollbackSeconds = (System.nanoTime() - start) / 1e9;
        // the user reverts the bad change (as a GitOps revert would): v2 again, no instance moves
        rollouts.setBootArgs("--version=v2");
        awaitServing(rollouts, v2, 4);

        phase.set("scale");
        start = System.nanoTime();
        scale(client, rollouts, 8);
        awaitServing(rollouts, v2, 8);
        scale(client, rollouts, 2);
        awaitServing(rollouts, v2, 2);
        // the leaving instances drain; the last requests of the phase see them go
        await().atMost(WAIT).until(() -> fake.instanceIps(GceTesting.GROUP_SCOPE + "/"
            + io.dustcloud.provider.gce.GceNames.group(new io.dustcloud.provider.FleetId(NS, NAME))).size() == 2);
        double scaleSeconds = (System.nanoTime() - start) / 1e9;
        phase.set("done");
        Thread.sleep(1000);
        running.set(false);
        for (Thread t : load) {
          t.join(10_000);
        }

        FakeCompute.LbStats lb = fake.lbStats();
        report.put("instances", 4)
            .put("boot_ms", PROVISIONING_MS + STAGING_MS + BOOT_MS)
            .put("clock", "real")
            .put("clients", CLIENTS)
            .put("keep_alive", true)
            .put("requests_total", total(requests))
            .put("requests_failed_rollout", count(failures, "rollout"))
            .put("requests_failed_rollback", count(failures, "rollback"))
            .put("requests_failed_scale", count(failures, "scale"))
            .put("requests_rollout", count(requests, "rollout"))
            .put("requests_rollback", count(requests, "rollback"))
            .put("requests_scale", count(requests, "scale"))
            .put("lb_requests_to_unhealthy", lb.requestsToUnhealthy())
            .put("client_retries", retries.get())
            .put("lb_connections", lb.connections())
            .put("lb_connections_without_backend", lb.connectionsWithoutBackend())
            .put("rollout_seconds", rolloutSeconds)
            .put("rollback_seconds", rollbackSeconds)
            .put("scale_seconds", scaleSeconds)
            .put("gce_calls", fake.calls().toString().replace('"', '\''))
            .write();
        if (!failureSamples.isEmpty()) {
          System.out.println("failure samples: " + failureSamples.subList(0, Math.min(10, failureSamples.size())));
        }
      } finally {
        running.set(false);
        for (Thread t : load) {
          t.join(10_000);
        }
      }
    }
  }

  private void drive(String endpoint, AtomicBoolean running) {
    KeepAliveClient c = KeepAliveClient.of(endpoint);
    try {
      while (running.get()) {
        String p = phase.get();
        requests.computeIfAbsent(p, k -> new AtomicLong()).incrementAndGet();
        try {
          KeepAliveClient.Response r = c.get("/");
          if (r.status() != 200) {
            fail(p, "status " + r.status() + " " + r.body().trim());
          }
        } catch (java.io.IOException e) {
          fail(p, e.toString());
        }
      }
    } finally {
      retries.addAndGet(c.retries());
      c.close();
    }
  }

  private void fail(String p, String why) {
    failures.computeIfAbsent(p, k -> new AtomicLong()).incrementAndGet();
    if (failureSamples.size() < 50) {
      failureSamples.add(p + ": " + why);
    }
  }

  private static void scale(KubernetesClient client, Rollouts rollouts, int n) {
    Unikernel now = rollouts.get();
    now.getSpec().scaling.minReplicas = n;
    now.getSpec().scaling.maxReplicas = n;
    Unikernels.update(client, now);
  }

  /** The fleet runs {@code n} instances, all of {@code revision}, all ready and in rotation. */
  private static void awaitServing(Rollouts rollouts, String revision, int n) {
    await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> {
      var s = rollouts.get().getStatus();
      return s != null && revision.equals(s.currentRevision) && s.replicas != null && s.replicas == n
          && s.updatedReplicas != null && s.updatedReplicas == n && s.readyReplicas != null && s.readyReplicas == n
          && s.endpoint != null;
    });
  }

  private static long total(Map<String, AtomicLong> m) {
    return m.entrySet().stream().filter(e -> !e.getKey().equals("warmup") && !e.getKey().equals("done"))
        .mapToLong(e -> e.getValue().get()).sum();
  }

  private static long count(Map<String, AtomicLong> m, String key) {
    AtomicLong v = m.get(key);
    return v == null ? 0 : v.get();
  }
}
