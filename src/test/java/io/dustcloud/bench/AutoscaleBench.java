package io.dustcloud.bench;

import io.dustcloud.api.v1alpha1.ScalingSpec;
import io.dustcloud.api.v1alpha1.Unikernel;
import io.dustcloud.wiring.DustcloudOperator;
import io.dustcloud.operator.OperatorConfig;
import io.dustcloud.binding.Bindings;
import io.dustcloud.provider.DesiredFleet;
import io.dustcloud.provider.FleetId;
import io.dustcloud.provider.FleetObservation;
import io.dustcloud.provider.FleetProvider;
import io.dustcloud.provider.RevisionImage;
import io.dustcloud.provider.local.LocalProvider;
import io.dustcloud.supervisor.AutoscaleSpec;
import io.dustcloud.supervisor.MetricSource;
import io.dustcloud.supervisor.ProbeSpec;
import io.dustcloud.supervisor.SupervisionSpec;
import io.dustcloud.supervisor.Supervisors;
import io.dustcloud.core.autoscale.ScaleLimits;
import io.dustcloud.core.autoscale.TargetTracking;
import io.dustcloud.testing.ExampleApp;
import io.dustcloud.testing.LoopbackHttpFarm;
import io.dustcloud.testing.MockApiServer;
import io.dustcloud.testing.Unikernels;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Benchmark {@code autoscale}: reaction from a load step on a local fleet (real example
 * instances, real scrapes, 1 s tick) to the provider's resize call; the simulator's ratios
 * against the KPA, HPA and GCE-like peers for every shipped trace at 1 s and 30 s boots; scrape throughput and
 * CPU against 1,000 loopback endpoints.
 */
class AutoscaleBench {
  static final int STEPS = 8;
  static final int ENDPOINTS = 1000;

  @Test
  void autoscale() throws Exception {
    BenchReport report = BenchReport.selected("autoscale");
    List<Long> reactions = reactions();
    Collections.sort(reactions);
    report.put("reaction_p50_ms", percentile(reactions, 0.50));
    report.put("reaction_p95_ms", percentile(reactions, 0.95));
    report.put("reaction_max_ms", reactions.get(reactions.size() - 1));
    report.put("reaction_steps", reactions.size());
    SimulatorRatios.put(report);
    scrapes(report);
    // capacities, not the offered load (issue 20): scrapes per core-second, load step to a new instance serving
    ScrapeCapacity.scrapes(report);
    ReactionToServed.measure(report);
    report.write();
  }

  static long percentile(List<Long> sorted, double p) {
    return sorted.get((int) Math.min(sorted.size() - 1, Math.ceil(p * sorted.size()) - 1));
  }

  // --- reaction: load step to resize call ---------------------------------------------------

  private List<Long> reactions() throws Exception {
    Path dir = Files.createTempDirectory("autoscale-bench");
    ExampleApp.binary();
    List<Long> times = new ArrayList<>();
    try (MockApiServer api = new MockApiServer()) {
      Recording provider = new Recording(new LocalProvider(dir.resolve("local")));
      DustcloudOperator operator = new DustcloudOperator(api.client(), OperatorConfig.dev(dir, 0),
          Bindings.of(provider), Clock.systemUTC()).start();
      try {
        Unikernel uk = Unikernels.local("default", "bench", ExampleApp.BINARY, 1);
        ScalingSpec s = uk.getSpec().scaling;
        s.maxReplicas = 4;
        s.target = 20.0; // percent of a core per instance; 4 busy clients use far more
        s.stableWindowSeconds = 10; // so each round shrinks back quickly; the panic window stays 6 s
        s.scaleDownDelaySeconds = 2;
        api.client().resource(uk).create();
        for (int step = 0; step < STEPS; step++) {
          String endpoint = awaitIdleAtOne(api, provider);
          long start = System.nanoTime();
          provider.grewAt.set(0);
          AtomicBoolean loading = new AtomicBoolean(true);
          List<Thread> load = load(endpoint, 4, loading);
          long deadline = start + Duration.ofSeconds(30).toNanos();
          while (provider.grewAt.get() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
          }
          loading.set(false);
          for (Thread t : load) {
            t.join(5000);
          }
          if (provider.grewAt.get() == 0) {
            throw new AssertionError("no resize within 30 s of the load step");
          }
          times.add((provider.grewAt.get() - start) / 1_000_000);
        }
      } finally {
        operator.close();
        ExampleApp.killDescendants();
      }
    }
    return times;
  }

  /** Waits until the fleet is back at one ready instance and has been idle for a few seconds. */
  private static String awaitIdleAtOne(MockApiServer api, Recording provider) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (System.nanoTime() < deadline) {
      Unikernel uk = api.client().resources(Unikernel.class).inNamespace("default").withName("bench").get();
      var st = uk.getStatus();
      if (st != null && st.readyReplicas != null && st.readyReplicas == 1 && st.replicas == 1 && st.desiredReplicas == 1
          && st.endpoint != null && provider.lastTotal.get() == 1) {
        Thread.sleep(3000); // CPU rate back to idle
        return st.endpoint;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("the fleet did not return to one instance");
  }

  private static List<Thread> load(String endpoint, int threads, AtomicBoolean loading) {
    List<Thread> out = new ArrayList<>();
    for (int i = 0; i < threads; i++) {
      Thread t = new Thread(() -> {
        while (loading.get()) {
          ExampleApp.get(endpoint, "/?cpu_ms=20");
        }
      }, "bench-load-" + i);
      t.setDaemon(true);
      t.start();
      out.add(t);
    }
    return out;
  }

  /** The local provider, noting when a realize call first asks for more instances than the last. */
  static final class Recording extends io.dustcloud.testing.ForwardingFleetProvider {
    final AtomicLong grewAt = new AtomicLong();
    final AtomicLong lastTotal = new AtomicLong(-1);

    Recording(FleetProvider delegate) {
      super(delegate);
    }

    @Override
    public FleetObservation realize(DesiredFleet desired) {
      int total = desired.total();
      long before = lastTotal.getAndSet(total);
      if (before >= 0 && total > before) {
        grewAt.compareAndSet(0, System.nanoTime());
      }
      return delegate.realize(desired);
    }
  }

  // --- scrape throughput ------------------------------------------------------------------------

  private static void scrapes(BenchReport report) throws Exception {
    String body = "# TYPE process_cpu_seconds_total counter\nprocess_cpu_seconds_total 1.5\n"
        + "# TYPE hello_requests_total counter\nhello_requests_total 42\n";
    try (LoopbackHttpFarm farm = new LoopbackHttpFarm(ENDPOINTS, body);
        Supervisors supervisors = new Supervisors(Clock.systemUTC(), Duration.ofSeconds(1), new SimpleMeterRegistry())) {
      FleetId fleet = new FleetId("bench", "scrapes");
      // probed once to become ready, then hourly: what remains is the autoscaler's scrapes
      ProbeSpec probe = ProbeSpec.http("/health", Duration.ofHours(1), 3);
      AutoscaleSpec autoscale = new AutoscaleSpec(MetricSource.cpu("/metrics", null, Duration.ofMillis(800)),
          ScaleLimits.of(ENDPOINTS, ENDPOINTS), TargetTracking.Settings.of("cpu", 70), null, Duration.ofSeconds(1));
      // one fleet of 1,000 instances at a 1 s tick: 1,000 scrapes per second is what the tick asks for
      supervisors.supervise(fleet, new SupervisionSpec(new HealthBench.StaticProvider(fleet, farm.addresses()), probe,
          autoscale, null, 0, ENDPOINTS));
      Thread.sleep(6000); // warm up: every instance ready, connections open, JIT done
      ThreadMXBean threads = ManagementFactory.getThreadMXBean();
      long cpu0 = HealthBench.supervisorCpuNanos(threads);
      long requests0 = farm.requests();
      long t0 = System.nanoTime();
      Thread.sleep(10_000);
      double seconds = (System.nanoTime() - t0) / 1e9;
      report.put("scrapes_per_second", Math.round((farm.requests() - requests0) / seconds));
      report.put("scrape_cpu_cores", (HealthBench.supervisorCpuNanos(threads) - cpu0) / 1e9 / seconds);
      report.put("scrape_endpoints", ENDPOINTS);
      var decision = supervisors.snapshot(fleet).decision();
      report.put("scrape_last_decision_scraped_all", decision != null && !decision.reason().contains("missing"));
    }
  }

}
