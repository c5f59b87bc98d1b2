package io.dustcloud.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.dustcloud.provider.DesiredFleet;
import io.dustcloud.provider.FleetId;
import io.dustcloud.provider.FleetObservation;
import io.dustcloud.provider.FleetService;
import io.dustcloud.provider.InstanceState;
import io.dustcloud.provider.RevisionImage;
import io.dustcloud.provider.gce.GceConfig;
import io.dustcloud.provider.gce.GceProvider;
import io.dustcloud.provider.gce.GceSettings;
import io.dustcloud.provider.gce.LoadBalancerSettings;
import io.dustcloud.testing.gce.FakeCompute;
import io.dustcloud.testing.gce.GceTesting;
import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * {@code gce-scale}: fleets created at once through the GCE provider against the Compute fake,
 * with the operator's <b>default</b> call budget (1,200 a minute) and observation interval
 * (10 s), instances that take 20 s of real time to boot (10 s PROVISIONING, 10 s STAGING),
 * operations that take a second (so the client polls them, and the polls count), 50 ms per
 * request; then the same fleets settled, observed and resynced as the operator does. Provider
 * level: the supervisor's observation every second and the reconciler's realize every 10 s
 * until ready and every 30 s after are played by the benchmark (the operator and the API server
 * are left out to measure the provider and its call budget). Every request the fake answers is
 * counted: pages, operation polls and reads as well as the mutating calls.
 *
 * <p>Fleets have the load balancer type {@code None} (a health check for autohealing and the
 * serving firewall rule, no load balancer: the cheapest fleet issue 17 allows); what a fleet
 * with an external load balancer costs is measured on a sample.
 */
class GceScaleBench {
  static final int FLEETS = Integer.getInteger("gce.scale.fleets", 1000);
  static final int SMALL = 100;
  static final int SAMPLE = 10;
  static final int REPLICAS = 2;
  static final int BUDGET = GceConfig.DEFAULT_CALLS_PER_MINUTE;
  static final Duration STEADY = Duration.ofSeconds(Long.getLong("gce.scale.steadySeconds", 120));
  /**
   * From all ready to settled: every fleet's group is read once more after the census saw it
   * settle (what was read while it moved no longer holds), within a resync or two; two full
   * census cycles cover it. Its reads are reported apart ({@code settle_reads_per_fleet}).
   */
  static final Duration SETTLE = Duration.ofSeconds(Long.getLong("gce.scale.settleSeconds", 120));
  static final Duration CREATE_TIMEOUT = Duration.ofMinutes(60);
  static final FleetService.Check CHECK = new FleetService.Check("/health", 30, 1, 1, 3, 3600);

  @Test
  void gceScale() throws Exception {
    BenchReport report = BenchReport.selected("gce-scale");
    AtomicLong peakHeap = new AtomicLong();
    Thread sampler = heapSampler(peakHeap);
    report.put("clock", "real").put("boot_ms", 20_000).put("operation_ms", 1_000).put("latency_ms", 50)
        .put("budget_calls_per_minute", BUDGET).put("observe_interval_seconds",
            GceConfig.DEFAULT_OBSERVE_INTERVAL.toSeconds());

    // the cost of one fleet of each shape, on a sample
    Run lbNone = new Run("sample-none", SAMPLE, LoadBalancerSettings.NONE);
    lbNone.create();
    report.put("mutating_calls_per_fleet_lb_none", lbNone.createMutating / (double) SAMPLE);
    lbNone.close();
    Run lbExternal = new Run("sample-ext", SAMPLE, new LoadBalancerSettings(LoadBalancerSettings.Type.EXTERNAL,
        null, null, 30));
    lbExternal.create();
    report.put("mutating_calls_per_fleet_lb_external", lbExternal.createMutating / (double) SAMPLE);
    lbExternal.close();

    // 100 settled fleets: what observing them costs
    Run small = new Run("small", SMALL, LoadBalancerSettings.NONE);
    small.create();
    small.steady();
    small.close();

    Run big = new Run("big", FLEETS, LoadBalancerSettings.NONE);
    big.create();
    double perSecond = BUDGET / 60.0;
    report.put("fleets", FLEETS)
        .put("seconds_to_all_ready", big.createSeconds)
        .put("budget_bound_seconds", Math.max(0, big.createCalls - perSecond) / perSecond)
        .put("calls", big.createCalls)
        .put("mutating_calls_per_fleet", big.createMutating / (double) FLEETS)
        .put("operation_waits_per_fleet", big.createPolls / (double) FLEETS)
        .put("budget_quota_refusals", big.fake.quotaRefusals());
    big.steady();
    big.close();
    sampler.interrupt();

    double ratio = big.steadyReadsPerMinute / small.steadyReadsPerMinute;
    report.put("steady_read_calls_per_minute", big.steadyReadsPerMinute)
        .put("steady_read_calls_per_minute_100", small.steadyReadsPerMinute)
        .put("read_calls_ratio_1000_vs_100", ratio)
        .put("steady_mutating_calls_per_minute", big.steadyMutatingPerMinute)
        .put("settle_reads_per_fleet", big.settleReadsPerFleet)
        .put("settle_reads_per_fleet_100", small.settleReadsPerFleet)
        .put("steady_mutating_calls_per_minute_100", small.steadyMutatingPerMinute)
        .put("peak_heap_mib", peakHeap.get() / (1024.0 * 1024.0))
        .write();
    assertThat(big.steadyMutatingPerMinute).as("a settled fleet changes nothing").isZero();
  }

  /** One fake project with its provider and fleets. */
  private static final class Run implements AutoCloseable {
    final FakeCompute fake = new FakeCompute();
    final GceProvider provider;
    final List<DesiredFleet> fleets;
    final Set<String> ready = ConcurrentHashMap.newKeySet();
    final ExecutorService realizers = Executors.newFixedThreadPool(128);
    final ExecutorService observers = Executors.newFixedThreadPool(16);
    final ScheduledExecutorService ticks = Executors.newSingleThreadScheduledExecutor();
    double createSeconds;
    long createCalls;
    long createMutating;
    long createPolls;
    double steadyReadsPerMinute;
    double steadyMutatingPerMinute;
    double settleReadsPerFleet;

    Run(String name, int count, LoadBalancerSettings lb) {
      fake.faults.latencyMillis = 50;
      fake.serveInstances = false; // thousands of instance servers would measure the fake
      fake.provisioningMillis = 10_000;
      fake.stagingMillis = 10_000;
      fake.operationMillis = 1_000;
      GceConfig config = GceConfig.anonymous(fake.endpoint(), BUDGET).withStorageEndpoint(fake.endpoint())
          .withObserveInterval(GceConfig.DEFAULT_OBSERVE_INTERVAL);
      provider = GceProvider.create(config, Clock.systemUTC());
      GceSettings settings = new GceSettings(GceTesting.PROJECT, GceTesting.ZONE, null, "e2-micro", null, null, null,
          List.of("dustcloud"), Map.of("bench", name), lb);
      fleets = IntStream.range(0, count).mapToObj(i -> {
        RevisionImage image = new RevisionImage("app-" + i + "-r1", "virtio",
            "gs://dustcloud-test/hello-v1.tar.gz", GceTesting.SHA256, List.of("--version=v1"), 8080, settings);
        return new DesiredFleet(new FleetId("bench-" + i % 10, name + "-" + i),
            Map.of(image.revision(), new DesiredFleet.Target(image, REPLICAS)), new FleetService(8080, null, CHECK, settings));
      }).toList();
    }

    /** Every fleet realized at once, observed every second, realized again every 10 s until its instances run. */
    void create() throws Exception {
      fake.resetCounts();
      long start = System.nanoTime();
      List<Future<?>> first = new ArrayList<>();
      for (DesiredFleet f : fleets) {
        first.add(realizers.submit(() -> realize(f)));
      }
      Map<String, Long> lastRealize = new ConcurrentHashMap<>();
      Set<String> inFlight = ConcurrentHashMap.newKeySet();
      ticks.scheduleAtFixedRate(() -> {
        long now = System.nanoTime();
        for (int i = 0; i < fleets.size(); i++) {
          DesiredFleet f = fleets.get(i);
          String key = f.fleet().key();
          if (ready.contains(key) || !first.get(i).isDone() || !inFlight.add(key)) {
            continue;
          }
          boolean resync = now - lastRealize.computeIfAbsent(key, k -> now) >= TimeUnit.SECONDS.toNanos(10);
          (resync ? realizers : observers).execute(() -> {
            try {
              if (resync) {
                lastRealize.put(key, System.nanoTime());
                realize(f);
              }
              if (settled(provider.observe(f.fleet()))) {
                ready.add(key);
              }
            } catch (RuntimeException e) {
              // as the reconciler would: the next tick tries again
            } finally {
              inFlight.remove(key);
            }
          });
        }
      }, 1, 1, TimeUnit.SECONDS);
      long deadline = start + CREATE_TIMEOUT.toNanos();
      while (ready.size() < fleets.size()) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError(ready.size() + " of " + fleets.size() + " fleets ready after " + CREATE_TIMEOUT);
        }
        Thread.sleep(200);
      }
      createSeconds = (System.nanoTime() - start) / 1e9;
      createMutating = fake.mutatingCalls();
      createCalls = fake.mutatingCalls() + fake.readCalls();
      createPolls = fake.calls().getOrDefault("operations.get", 0L) + fake.calls().getOrDefault("operations.wait", 0L);
      ticks.shutdownNow();
      ticks.awaitTermination(10, TimeUnit.SECONDS);
    }

    /** Settled: every fleet observed every second and realized every 30 s, as the operator does at rest. */
    void steady() throws Exception {
      ScheduledExecutorService operator = Executors.newSingleThreadScheduledExecutor();
      Set<String> inFlight = ConcurrentHashMap.newKeySet();
      AtomicLong tick = new AtomicLong();
      operator.scheduleAtFixedRate(() -> {
        long t = tick.incrementAndGet();
        for (int i = 0; i < fleets.size(); i++) {
          DesiredFleet f = fleets.get(i);
          boolean resync = (t + i) % 30 == 0; // spread over the 30 s
          if (!inFlight.add(f.fleet().key())) {
            continue;
          }
          (resync ? realizers : observers).execute(() -> {
            try {
              if (resync) {
                realize(f);
              }
              provider.observe(f.fleet());
            } catch (RuntimeException e) {
              // counted by the fake either way
            } finally {
              inFlight.remove(f.fleet().key());
            }
          });
        }
      }, 0, 1, TimeUnit.SECONDS);
      fake.resetCounts();
      Thread.sleep(SETTLE.toMillis());
      long settleReads = fake.readCalls() - fake.calls().getOrDefault("instanceGroupManagers.aggregatedList", 0L);
      settleReadsPerFleet = settleReads / (double) fleets.size();
      System.out.println("settling calls of " + fleets.size() + " fleets over " + SETTLE + ": " + fake.calls());
      fake.resetCounts();
      long start = System.nanoTime();
      Thread.sleep(STEADY.toMillis());
      double minutes = (System.nanoTime() - start) / 60e9;
      steadyReadsPerMinute = fake.readCalls() / minutes;
      System.out.println("steady calls of " + fleets.size() + " fleets over " + STEADY + ": " + fake.calls());
      steadyMutatingPerMinute = fake.mutatingCalls() / minutes;
      operator.shutdownNow();
    }

    private void realize(DesiredFleet f) {
      try {
        provider.realize(f);
      } catch (RuntimeException e) {
        // as the reconciler would: tried again at the next resync
      }
    }

    private static boolean settled(FleetObservation obs) {
      return obs.instances().size() == REPLICAS
          && obs.instances().stream().allMatch(i -> i.state() == InstanceState.RUNNING);
    }

    @Override
    public void close() {
      realizers.shutdownNow();
      observers.shutdownNow();
      ticks.shutdownNow();
      provider.close();
      fake.close();
    }
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
