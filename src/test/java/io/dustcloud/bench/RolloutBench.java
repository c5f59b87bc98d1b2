package io.dustcloud.bench;

import io.dustcloud.api.v1alpha1.Unikernel;
import io.dustcloud.operator.Conditions;
import io.dustcloud.wiring.DustcloudOperator;
import io.dustcloud.operator.OperatorConfig;
import io.dustcloud.binding.Bindings;
import io.dustcloud.operator.StatusConditions;
import io.dustcloud.provider.FleetId;
import io.dustcloud.provider.local.LocalProvider;
import io.dustcloud.testing.ExampleApp;
import io.dustcloud.testing.MockApiServer;
import io.dustcloud.testing.SteadyLoad;
import io.dustcloud.testing.Unikernels;
import io.fabric8.kubernetes.api.model.IntOrString;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * Benchmark {@code rollout}: 10 instances of the example unikernel on the local provider under
 * steady load; a rollout v1 → v2, then a broken v3 that is rolled back automatically.
 */
class RolloutBench {
  static final int INSTANCES = 10;
  static final int PROGRESS_DEADLINE_SECONDS = 5;

  @Test
  void rollout() throws Exception {
    BenchReport report = BenchReport.selected("rollout");
    Path dir = Files.createTempDirectory("rollout-bench");
    ExampleApp.binary();
    try (MockApiServer api = new MockApiServer()) {
      LocalProvider local = new LocalProvider(dir.resolve("local"));
      DustcloudOperator operator = new DustcloudOperator(api.client(), OperatorConfig.dev(dir, 0),
          Bindings.of(local), Clock.systemUTC()).start();
      try {
        Unikernel uk = Unikernels.local("default", "bench", ExampleApp.BINARY, INSTANCES, "--version=v1");
        uk.getSpec().rollout.maxSurge = new IntOrString(2);
        uk.getSpec().rollout.maxUnavailable = new IntOrString(0);
        uk.getSpec().rollout.progressDeadlineSeconds = PROGRESS_DEADLINE_SECONDS;
        uk.getSpec().rollout.verificationSeconds = 1;
        uk.getSpec().rollout.keepPreviousSeconds = 30;
        api.client().resource(uk).create();
        await(api, s -> s.promotedTime != null && s.lastGoodRevision != null, Duration.ofSeconds(60));

        try (SteadyLoad load = new SteadyLoad(get(api).getStatus().endpoint, 4)) {
          Thread.sleep(1000);
          String v1 = get(api).getStatus().currentRevision;
          long start = System.nanoTime();
          setBootArgs(api, "--version=v2");
          await(api, s -> s.promotedTime != null && !v1.equals(s.currentRevision)
              && v1.equals(s.previousRevision), Duration.ofSeconds(120));
          report.put("rollout_seconds", (System.nanoTime() - start) / 1e9);
          long failedRollout = load.failed.get();
          String v2 = get(api).getStatus().currentRevision;
          await(api, s -> v2.equals(s.lastGoodRevision), Duration.ofSeconds(30));

          setBootArgs(api, "--version=v3", "--broken");
          await(api, s -> s.rolloutStartTime != null && !v2.equals(s.updateRevision), Duration.ofSeconds(30));
          Instant deadline = Instant.parse(get(api).getStatus().rolloutStartTime).plusSeconds(PROGRESS_DEADLINE_SECONDS);
          FleetId fleet = new FleetId("default", "bench");
          awaitFleet(local, fleet, v2, Duration.ofSeconds(60));
          await(api, s -> v2.equals(s.updateRevision)
              && StatusConditions.isTrue(s.conditions, Conditions.ROLLED_BACK), Duration.ofSeconds(60));
          double rollbackSeconds = Duration.between(deadline, Instant.now()).toMillis() / 1000.0;
          Thread.sleep(1000);
          report.put("rollback_seconds", rollbackSeconds);
          report.put("requests_total", load.total.get());
          report.put("requests_failed_rollout", failedRollout);
          report.put("requests_failed_rollback", load.failed.get() - failedRollout);
          report.put("instances", INSTANCES);
        }
      } finally {
        operator.close();
        ExampleApp.killDescendants();
      }
    }
    report.write();
  }

  /** Waits until every instance of the fleet runs {@code revision} (after a rollback started). */
  private static void awaitFleet(LocalProvider local, FleetId fleet, String revision, Duration max) throws Exception {
    long end = System.nanoTime() + max.toNanos();
    boolean sawOther = false;
    while (System.nanoTime() < end) {
      var instances = local.observe(fleet).instances();
      boolean allOn = instances.size() == INSTANCES && instances.stream().allMatch(i -> i.revision().equals(revision));
      sawOther |= !allOn;
      if (sawOther && allOn) {
        return;
      }
      Thread.sleep(20);
    }
    throw new AssertionError("fleet not back on " + revision);
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
