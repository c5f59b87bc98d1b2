package io.dustcloud.bench;

import io.dustcloud.api.v1alpha1.Unikernel;
import io.dustcloud.operator.Conditions;
import io.dustcloud.wiring.DustcloudOperator;
import io.dustcloud.operator.OperatorConfig;
import io.dustcloud.binding.Bindings;
import io.dustcloud.operator.StatusConditions;
import io.dustcloud.provider.DesiredFleet;
import io.dustcloud.provider.FleetId;
import io.dustcloud.provider.FleetObservation;
import io.dustcloud.provider.FleetProvider;
import io.dustcloud.provider.InstanceState;
import io.dustcloud.provider.InstanceView;
import io.dustcloud.provider.local.LocalProvider;
import io.dustcloud.supervisor.ProbeSpec;
import io.dustcloud.supervisor.SupervisionSpec;
import io.dustcloud.supervisor.Supervisors;
import io.dustcloud.testing.ExampleApp;
import io.dustcloud.testing.LoopbackHttpFarm;
import io.dustcloud.testing.MockApiServer;
import io.dustcloud.testing.Unikernels;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Benchmark {@code health}: how fast a hung instance is replaced (local provider, real example
 * unikernel, period 1 s, failure threshold 3), and how many probes the supervisor completes per
 * CPU-second at saturation ({@link ScrapeCapacity}).
 */
class HealthBench {
  static final int ROUNDS = 5;

  @Test
  void health() throws Exception {
    BenchReport report = BenchReport.selected("health");
    List<Long> replaced = hangToReplaced();
    Collections.sort(replaced);
    report.put("hang_to_replaced_ms", replaced.get(replaced.size() / 2));
    report.put("hang_to_replaced_max_ms", replaced.get(replaced.size() - 1));
    ScrapeCapacity.probes(report);
    report.write();
  }

  private List<Long> hangToReplaced() throws Exception {
    Path dir = Files.createTempDirectory("health-bench");
    ExampleApp.binary();
    List<Long> times = new ArrayList<>();
    try (MockApiServer api = new MockApiServer()) {
      LocalProvider local = new LocalProvider(dir.resolve("local"));
      DustcloudOperator operator = new DustcloudOperator(api.client(), OperatorConfig.dev(dir, 0),
          Bindings.of(local), Clock.systemUTC()).start();
      try {
        Unikernel uk = Unikernels.local("default", "bench", ExampleApp.BINARY, 3);
        uk.getSpec().healthCheck.periodSeconds = 1;
        uk.getSpec().healthCheck.failureThreshold = 3;
        api.client().resource(uk).create();
        FleetId fleet = new FleetId("default", "bench");
        for (int round = 0; round < ROUNDS; round++) {
          awaitReady(api, 3, null, local, fleet, Duration.ofSeconds(60));
          InstanceView victim = local.observe(fleet).instances().get(0);
          long start = System.nanoTime();
          hang(victim.address());
          awaitReady(api, 3, victim.id(), local, fleet, Duration.ofSeconds(60));
          times.add((System.nanoTime() - start) / 1_000_000);
        }
      } finally {
        operator.close();
        ExampleApp.killDescendants();
      }
    }
    return times;
  }

  private static void awaitReady(MockApiServer api, int n, String gone, LocalProvider local, FleetId fleet, Duration max)
      throws InterruptedException {
    long deadline = System.nanoTime() + max.toNanos();
    while (System.nanoTime() < deadline) {
      Unikernel uk = api.client().resources(Unikernel.class).inNamespace("default").withName("bench").get();
      boolean victimGone = gone == null
          || local.observe(fleet).instances().stream().noneMatch(i -> i.id().equals(gone));
      if (uk.getStatus() != null && uk.getStatus().readyReplicas != null && uk.getStatus().readyReplicas == n
          && StatusConditions.isTrue(uk.getStatus().conditions, Conditions.READY) && victimGone) {
        return;
      }
      Thread.sleep(20);
    }
    throw new AssertionError("fleet did not recover within " + max);
  }

  private static void hang(String address) throws Exception {
    try {
      HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://" + address + "/admin/hang"))
          .timeout(Duration.ofMillis(300)).POST(HttpRequest.BodyPublishers.noBody()).build(),
          HttpResponse.BodyHandlers.discarding());
    } catch (java.net.http.HttpTimeoutException expected) {
      // the instance now answers nothing
    }
  }

  /** CPU of every thread but the farm's (which stands in for the instances) and this one. */
  static long supervisorCpuNanos(ThreadMXBean threads) {
    long total = 0;
    for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
      if (info == null || info.getThreadName().equals(LoopbackHttpFarm.THREAD_NAME)
          || info.getThreadId() == Thread.currentThread().getId()) {
        continue;
      }
      long t = threads.getThreadCpuTime(info.getThreadId());
      total += Math.max(0, t);
    }
    return total;
  }

  /** A provider whose fleet is a fixed list of running instances. */
  record StaticProvider(FleetId fleet, List<String> addresses) implements FleetProvider {
    @Override
    public String name() {
      return "static";
    }

    @Override
    public FleetObservation observe(FleetId id) {
      Instant t = Instant.EPOCH;
      List<InstanceView> views = new ArrayList<>();
      for (int i = 0; i < addresses.size(); i++) {
        views.add(new InstanceView("i" + i, "r1", addresses.get(i), InstanceState.RUNNING, t));
      }
      return new FleetObservation(id, views, Optional.empty());
    }

    @Override
    public FleetObservation realize(DesiredFleet desired) {
      return observe(desired.fleet());
    }

    @Override
    public void replace(FleetId id, Collection<String> instanceIds) {}

    @Override
    public void delete(FleetId id) {}

    @Override
    public void release(FleetId id) {}
  }
}
