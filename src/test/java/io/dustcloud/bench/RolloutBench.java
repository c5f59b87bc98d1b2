package io.dustcloud.bench;

import io.dustcloud.api.v1alpha1.Unikernel;
import io.dustcloud.wiring.DustcloudOperator;
import io.dustcloud.operator.OperatorConfig;
import io.dustcloud.binding.Bindings;
import io.dustcloud.provider.FleetId;
import io.dustcloud.provider.local.LocalProvider;
import io.dustcloud.testing.ExampleApp;
import io.dustcloud.testing.MockApiServer;
import io.dustcloud.testing.HttpLoad;
import io.dustcloud.testing.Unikernels;
import io.fabric8.kubernetes.api.model.IntOrString;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * Benchmark {@code rollout}: 10 instances of the example unikernel on the local provider under
 * 4 keep-alive clients (one persistent HTTP/1.1 connection each, {@link HttpLoad}); a
 * rollout v1 → v2 (promoted, then verified), a rollback of the promoted v2 to v1 by pinning
 * {@code spec.revision} inside {@code keepPreviousSeconds} (warm: v1's instances still run),
 * back to v2, and a rollback after {@code keepPreviousSeconds} (cold: v1's instances were
 * stopped, so it costs instance starts). Each rollback's seconds run from the spec change to
 * the fleet serving only v1 with every instance ready; a request fails on any I/O error or a
 * status other than 200 (one retry of a request whose reused connection was found closed
 * before any byte of the answer, as HTTP clients do; counted in {@code requests_retried}).
 */
class RolloutBench {
  static final int INSTANCES = 10;
  static final int KEEP_PREVIOUS_SECONDS = 10;

  @Test
  void rollout() throws Exception {
    BenchReport report = BenchReport.selected("rollout");
    Path dir = Files.createTempDirectory("rollout-bench");
    ExampleApp.binary();
    try (MockApiServer api = new MockApiServer()) {
      LocalProvider local = new LocalProvider(dir.resolve("local"));
      DustcloudOperator operator = new DustcloudOperator(api.client(), OperatorConfig.dev(dir, 0),
          Bindings.of(local), Clock.systemUTC()).start();
      FleetId fleet = new FleetId("default", "bench");
      try {
        Unikernel uk = Unikernels.local("default", "bench", ExampleApp.BINARY, INSTANCES, "--version=v1");
        uk.getSpec().rollout.maxSurge = new IntOrString(2);
        uk.getSpec().rollout.maxUnavailable = new IntOrString(0);
        uk.getSpec().rollout.verificationSeconds = 1;
        uk.getSpec().rollout.keepPreviousSeconds = KEEP_PREVIOUS_SECONDS;
        api.client().resource(uk).create();
        await(api, s -> s.promotedTime != null && s.lastGoodRevision != null, Duration.ofSeconds(60));

        try (HttpLoad load = new HttpLoad(get(api).getStatus().endpoint, 4, "/", true)) {
          Thread.sleep(1000);
          String v1 = get(api).getStatus().currentRevision;
          long start = System.nanoTime();
          setBootArgs(api, "--version=v2");
          await(api, s -> s.promotedTime != null && !v1.equals(s.currentRevision)
              && v1.equals(s.previousRevision), Duration.ofSeconds(120));
          report.put("rollout_seconds", (System.nanoTime() - start) / 1e9);
          String v2 = get(api).getStatus().currentRevision;
          await(api, s -> v2.equals(s.lastGoodRevision), Duration.ofSeconds(30));
          long failedRollout = load.failed.get();

          // warm: v2 was promoted moments ago, v1's instances still run
          double warm = rollBack(api, local, fleet, v1, "hello from hello v1");
          long failedWarm = load.failed.get() - failedRollout;
          // forward again, then wait until v1's kept instances are gone
          pin(api, null); // back to the spec's revision, v2
          awaitServing(api, local, fleet, v2, "hello from hello v2", Duration.ofSeconds(120));
          awaitOnly(local, fleet, v2, Duration.ofSeconds(KEEP_PREVIOUS_SECONDS + 60));
          long failedBefore = load.failed.get();
          double cold = rollBack(api, local, fleet, v1, "hello from hello v1");
          long failedCold = load.failed.get() - failedBefore;
          Thread.sleep(1000);
          report.put("rollback_warm_seconds", warm);
          report.put("rollback_cold_seconds", cold);
          report.put("requests_total", load.total.get());
          report.put("requests_failed_rollout", failedRollout);
          report.put("requests_failed_rollback_warm", failedWarm);
          report.put("requests_failed_rollback_cold", failedCold);
          report.put("requests_failed", load.failed.get());
          report.put("requests_retried", load.retries.get());
          report.put("requests_timed_out", load.timedOut.get());
          report.put("load_average_1m", java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
          report.put("connections_opened", load.connections.get());
          report.put("instances", INSTANCES);
          report.put("keep_previous_seconds", KEEP_PREVIOUS_SECONDS);
          if (load.failed.get() > 0) {
            System.out.println("last failure: " + load.lastFailure());
          }
        }
      } finally {
        operator.close();
        ExampleApp.killDescendants();
      }
    }
    report.write();
  }

  /** Pins {@code revision}; seconds until the fleet serves only it, every instance ready. */
  private static double rollBack(MockApiServer api, LocalProvider local, FleetId fleet, String revision, String answer)
      throws Exception {
    long t0 = System.nanoTime();
    pin(api, revision);
    awaitServing(api, local, fleet, revision, answer, Duration.ofSeconds(120));
    return (System.nanoTime() - t0) / 1e9;
  }

  private static void pin(MockApiServer api, String revision) {
    Unikernel uk = get(api);
    uk.getSpec().revision = revision;
    Unikernels.update(api.client(), uk);
  }

  /**
   * Until status names {@code revision} current, {@code INSTANCES} of it are ready, and the fleet
   * endpoint routes to nothing else (checked by fresh connections, each a new round-robin pick).
   */
  private static void awaitServing(MockApiServer api, LocalProvider local, FleetId fleet, String revision,
      String answer, Duration max) throws Exception {
    long end = System.nanoTime() + max.toNanos();
    while (System.nanoTime() < end) {
      Unikernel uk = get(api);
      var s = uk.getStatus();
      if (s != null && revision.equals(s.currentRevision) && revision.equals(s.updateRevision)
          && Integer.valueOf(INSTANCES).equals(s.readyReplicas)) {
        boolean onlyIt = true;
        for (int i = 0; i < 2 * INSTANCES && onlyIt; i++) {
          onlyIt = (answer + "\n").equals(ExampleApp.get(s.endpoint, "/"));
        }
        if (onlyIt) {
          return;
        }
      }
      Thread.sleep(20);
    }
    throw new AssertionError("fleet not serving " + revision + " within " + max + "; status "
        + io.fabric8.kubernetes.client.utils.Serialization.asJson(get(api).getStatus()));
  }

  /** Until every instance the provider runs is of {@code revision} (the kept previous ones stopped). */
  private static void awaitOnly(LocalProvider local, FleetId fleet, String revision, Duration max) throws Exception {
    long end = System.nanoTime() + max.toNanos();
    while (System.nanoTime() < end) {
      var instances = local.observe(fleet).instances();
      if (!instances.isEmpty() && instances.stream().allMatch(i -> i.revision().equals(revision))) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("instances of other revisions still run after " + max);
  }

  private static void setBootArgs(MockApiServer api, String... args) {
    Unikernel uk = get(api);
    uk.getSpec().bootArgs = List.of(args);
    Unikernels.update(api.client(), uk);
  }

  private static Unikernel get(MockApiServer api) {
    return api.client().resources(Unikernel.class).inNamespace("default").withName("bench").get();
  }

  private static void await(MockApiServer api, Predicate<io.dustcloud.api.v1alpha1.UnikernelStatus> done, Duration max)
      throws InterruptedException {
    long end = System.nanoTime() + max.toNanos();
    while (System.nanoTime() < end) {
      Unikernel uk = get(api);
      if (uk != null && uk.getStatus() != null && done.test(uk.getStatus())) {
        return;
      }
      Thread.sleep(20);
    }
    throw new AssertionError("timed out; status " + io.fabric8.kubernetes.client.utils.Serialization.asJson(get(api).getStatus()));
  }
}
