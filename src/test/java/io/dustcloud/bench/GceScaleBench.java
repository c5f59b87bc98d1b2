package io.dustcloud.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.dustcloud.provider.DesiredFleet;
import io.dustcloud.provider.FleetId;
import io.dustcloud.provider.FleetObservation;
import io.dustcloud.provider.InstanceState;
import io.dustcloud.provider.gce.GceProvider;
import io.dustcloud.testing.gce.FakeCompute;
import io.dustcloud.testing.gce.GceTesting;
import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * {@code gce-scale}: 1,000 fleets created at once through the GCE provider against the Compute
 * fake, 50 ms per call, within a budget of 12,000 calls per minute. Provider-level: each fleet
 * is realized and then observed until its instances run, as the reconciler and supervisor would
 * (the operator and API server are left out to measure the provider and its call budget).
 */
class GceScaleBench {
  static final int FLEETS = 1000;
  static final int REPLICAS = 2;
  static final int CALLS_PER_MINUTE = 12_000;
  static final Duration POLL = Duration.ofMillis(500);

  @Test
  void gceScale() throws Exception {
    BenchReport report = BenchReport.selected("gce-scale");
    AtomicLong peakHeap = new AtomicLong();
    Thread sampler = heapSampler(peakHeap);
    try (FakeCompute fake = new FakeCompute()) {
      fake.faults.latencyMillis = 50;
      fake.serveInstances = false; // 2,000 instance servers and 1,000 load balancers would measure the fake
      fake.provisioningMillis = 200;
      fake.stagingMillis = 200;
      GceProvider provider = GceTesting.provider(fake, CALLS_PER_MINUTE,
          Duration.ZERO, Clock.systemUTC());
      List<DesiredFleet> fleets = IntStream.range(0, FLEETS)
          .mapToObj(i -> DesiredFleet.single(new FleetId("bench-" + i % 10, "app-" + i),
              GceTesting.image("app-" + i + "-r1", "v1"), REPLICAS))
          .toList();

      long start = System.nanoTime();
      ExecutorService pool = Executors.newFixedThreadPool(128);
      List<Future<?>> done = new ArrayList<>();
      for (DesiredFleet f : fleets) {
        done.add(pool.submit(() -> {
          FleetObservation obs = provider.realize(f);
          while (!ready(obs)) {
            Thread.sleep(POLL.toMillis());
            obs = provider.observe(f.fleet());
          }
          return null;
        }));
      }
      for (Future<?> d : done) {
        d.get();
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      long calls = fake.mutatingCalls() + fake.readCalls();
      long mutating = fake.mutatingCalls();

      // steady state: one resync round (every fleet realized again) with nothing changed
      fake.resetCounts();
      long steadyStart = System.nanoTime();
      List<Future<?>> resync = new ArrayList<>();
      for (DesiredFleet f : fleets) {
        resync.add(pool.submit(() -> provider.realize(f)));
      }
      for (Future<?> r : resync) {
        r.get();
      }
      double steadySeconds = (System.nanoTime() - steadyStart) / 1e9;
      pool.shutdown();
      provider.close();
      sampler.interrupt();

      double perSecond = CALLS_PER_MINUTE / 60.0;
      report.put("fleets", FLEETS)
          .put("seconds_to_all_ready", seconds)
          .put("budget_bound_seconds", Math.max(0, calls - perSecond) / perSecond)
          .put("calls", calls)
          .put("mutating_calls_per_fleet", mutating / (double) FLEETS)
          .put("steady_mutating_calls_per_minute", fake.mutatingCalls() * 60.0 / steadySeconds)
          .put("steady_reads_per_fleet_per_resync", fake.readCalls() / (double) FLEETS)
          .put("peak_heap_mib", peakHeap.get() / (1024.0 * 1024.0))
          .write();
      assertThat(mutating).isEqualTo(3L * FLEETS);
    }
  }

  private static boolean ready(FleetObservation obs) {
    return obs.instances().size() == REPLICAS && obs.instances().stream().allMatch(i -> i.state() == InstanceState.RUNNING);
  }

  /**
   * Peak heap in use after garbage collections (the live set, what {@code -Xmx} must hold):
   * sampled used heap mostly measures how lazily the collector runs on a 24 GiB machine.
   */
  private static Thread heapSampler(AtomicLong peak) {
    Thread t = new Thread(() -> {
      var pools = ManagementFactory.getMemoryPoolMXBeans().stream()
          .filter(pool -> pool.getType() == java.lang.management.MemoryType.HEAP && pool.getCollectionUsage() != null)
          .toList();
      while (!Thread.currentThread().isInterrupted()) {
        long afterGc = pools.stream().mapToLong(pool -> pool.getCollectionUsage().getUsed()).sum();
        peak.accumulateAndGet(afterGc, Math::max);
        try {
          Thread.sleep(100);
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "heap-sampler");
    t.setDaemon(true);
    t.start();
    return t;
  }
}
