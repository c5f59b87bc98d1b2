package io.dustcloud.bench;

import io.dustcloud.api.v1alpha1.UnikernelSpec;
import io.dustcloud.operator.DefaultSupervision;
import io.dustcloud.provider.FleetId;
import io.dustcloud.supervisor.Supervisors;
import io.dustcloud.testing.LoopbackHttpFarm;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code idle_cores_per_1000_fleets}: what 1,000 settled fleets cost the supervisor at rest. Each
 * fleet is one instance, a loopback endpoint answering REAL Prometheus text (the example app's
 * exposition) to scrapes and 200 to probes, supervised as the reconciler supervises a fleet of the
 * default spec (default health check and autoscaling, 1 s tick). Once every fleet is ready and
 * the JIT has settled, the CPU time of every thread of this JVM but the endpoints' and this one is
 * taken over {@link #WINDOW}; the busiest thread groups are printed, to show where it goes. The
 * reconciler's own resyncs are not in it (the {@code gce_steady_operator_cpu_cores} figure has them).
 */
final class IdleCost {
  static final int FLEETS = 1000;
  static final Duration WINDOW = Duration.ofSeconds(30);
  /** What examples/hello answers on /metrics. */
  static final String METRICS = """
      # HELP hello_requests_total HTTP requests received.
      # TYPE hello_requests_total counter
      hello_requests_total 1234
      # HELP hello_requests_in_flight HTTP requests being handled.
      # TYPE hello_requests_in_flight gauge
      hello_requests_in_flight 0
      # HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.
      # TYPE process_cpu_seconds_total counter
      process_cpu_seconds_total 0.250000
      """;

  private IdleCost() {}

  static void measure(BenchReport report) throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (LoopbackHttpFarm farm = new LoopbackHttpFarm(FLEETS, METRICS);
        Supervisors supervisors = new Supervisors(Clock.systemUTC(), Duration.ofSeconds(1), registry)) {
      List<FleetId> fleets = new ArrayList<>();
      for (int i = 0; i < FLEETS; i++) {
        FleetId fleet = new FleetId("default", "app-" + i);
        fleets.add(fleet);
        supervisors.supervise(fleet, DefaultSupervision.of(new UnikernelSpec(),
            new HealthBench.StaticProvider(fleet, List.of(farm.addresses().get(i)))));
      }
      long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
      while (fleets.stream().anyMatch(f -> supervisors.snapshot(f).health().readyIds().size() != 1)) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("the 1,000 fleets were not all ready within 120 s");
        }
        Thread.sleep(200);
      }
      Thread.sleep(10_000); // settled: the autoscalers' first rounds done, the JIT quiet
      ThreadMXBean threads = ManagementFactory.getThreadMXBean();
      Map<String, Long> before = cpuByGroup(threads);
      long requests0 = farm.requests();
      double[] scrapes0 = scrapes(registry);
      long t0 = System.nanoTime();
      Thread.sleep(WINDOW.toMillis());
      double seconds = (System.nanoTime() - t0) / 1e9;
      Map<String, Long> after = cpuByGroup(threads);
      long requests = farm.requests() - requests0;
      double[] scrapes1 = scrapes(registry);
      double scraped = scrapes1[0] - scrapes0[0];
      double failed = scrapes1[1] - scrapes0[1];
      long total = 0;
      Map<String, Long> spent = new TreeMap<>();
      for (Map.Entry<String, Long> e : after.entrySet()) {
        long d = e.getValue() - before.getOrDefault(e.getKey(), 0L);
        spent.put(e.getKey(), d);
        total += d;
      }
      spent.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(8)
          .forEach(e -> System.out.printf("idle CPU: %-40s %.3f cores%n", e.getKey(), e.getValue() / 1e9 / seconds));
      report.put("idle_cores_per_1000_fleets", total / 1e9 / seconds * 1000.0 / FLEETS);
      report.put("idle_requests_per_second", Math.round(requests / seconds));
      report.put("idle_window_seconds", seconds);
      report.put("idle_scrapes_parsed_per_second", Math.round((scraped - failed) / seconds));
      report.put("idle_scrape_errors_in_window", Math.round(failed));
      report.put("idle_load_average_1m", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
      // scrapes that time out cost less than parsed ones: such a window measures a starved
      // machine, not what settled fleets with real metrics cost (issue 20: "every scrape failed")
      if (failed > 0.01 * scraped) {
        throw new AssertionError(String.format("%.0f of the %.0f scrapes in the window failed: the figure (%.3f) would"
            + " not be the cost of parsed metrics; rerun on a quieter machine", failed, scraped,
            total / 1e9 / seconds * 1000.0 / FLEETS));
      }
    }
  }

  /** Scrapes started and scrapes failed so far, over all fleets. */
  static double[] scrapes(SimpleMeterRegistry registry) {
    return new double[] {
      registry.find("dustcloud_autoscaler_scrapes_total").counters().stream().mapToDouble(c -> c.count()).sum(),
      registry.find("dustcloud_autoscaler_scrape_errors_total").counters().stream().mapToDouble(c -> c.count()).sum()
    };
  }

  /** CPU nanoseconds by thread name without its trailing number, all threads but the farm's and this one. */
  static Map<String, Long> cpuByGroup(ThreadMXBean threads) {
    Map<String, Long> out = new TreeMap<>();
    for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
      if (info == null || info.getThreadName().equals(LoopbackHttpFarm.THREAD_NAME)
          || info.getThreadId() == Thread.currentThread().getId()) {
        continue;
      }
      long t = threads.getThreadCpuTime(info.getThreadId());
      // threads that ended in the window drop out; those that started count whole (rare at rest)
      out.merge(info.getThreadName().replaceAll("[-#]?\\d+", "#"), Math.max(0, t), Long::sum);
    }
    return out;
  }
}
