package io.dustcloud.bench;

import io.dustcloud.core.autoscale.ScaleLimits;
import io.dustcloud.core.autoscale.TargetTracking;
import io.dustcloud.provider.FleetId;
import io.dustcloud.supervisor.AutoscaleSpec;
import io.dustcloud.supervisor.MetricSource;
import io.dustcloud.supervisor.ProbeSpec;
import io.dustcloud.supervisor.SupervisionSpec;
import io.dustcloud.supervisor.Supervisors;
import io.dustcloud.testing.LoopbackHttpFarm;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What the supervisor's probing and scraping can do per core: the offered load is raised (more
 * loopback endpoints, then a shorter tick) until the supervisor's threads keep about a core busy
 * or stop completing what is asked of them, and the figure is completed probes (scrapes parsed)
 * per CPU-second of every thread of this JVM but the endpoints' and the benchmark's own. A
 * capacity, not the offered load: on a machine shared with other work the per-core figure is
 * the one that holds; the wall-clock rate is reported beside it. A level that completes nothing
 * fails the benchmark.
 */
final class ScrapeCapacity {
  /** A load level: endpoints polled once per {@code tick}. */
  record Level(int endpoints, Duration tick) {
    double offeredPerSecond() {
      return endpoints * 1000.0 / tick.toMillis();
    }
  }

  /**
   * Up to 16,000 offered a second: 2,000 endpoints (3 open files each: listener, and both ends of
   * the connection), then a shorter tick, which stays well under the open-files limit.
   */
  static final List<Level> LEVELS = List.of(new Level(1000, Duration.ofSeconds(1)), new Level(2000, Duration.ofSeconds(1)),
      new Level(2000, Duration.ofMillis(500)), new Level(2000, Duration.ofMillis(250)),
      new Level(2000, Duration.ofMillis(125)));
  static final Duration WARM_UP = Duration.ofSeconds(5);
  static final Duration WINDOW = Duration.ofSeconds(8);
  /** A core this busy (of the supervisor's threads) is saturation. */
  static final double BUSY_CORES = 0.9;
  /** Completing less than this share of the offered work is saturation too (the rest was skipped or late). */
  static final double KEEPING_UP = 0.9;

  enum Kind {
    PROBES, SCRAPES
  }

  record Measured(Level level, double completedPerSecond, double cores) {
    double perCoreSecond() {
      return completedPerSecond / cores;
    }
  }

  private ScrapeCapacity() {}

  /** {@code scrapes_per_core_second} and the figures of the saturating level. */
  static void scrapes(BenchReport report) throws Exception {
    put(report, "scrape", measure(Kind.SCRAPES));
  }

  /** {@code probes_per_core_second} and the figures of the saturating level. */
  static void probes(BenchReport report) throws Exception {
    put(report, "probe", measure(Kind.PROBES));
  }

  /**
   * The figure is taken at the level that completed the most (the knee): past it the supervisor
   * is saturated and completes less, so the saturating level's own per-core figure would only
   * say how much work it wasted. Both are reported.
   */
  private static void put(BenchReport report, String what, List<Measured> levels) {
    Measured last = levels.stream().max(java.util.Comparator.comparingDouble(Measured::completedPerSecond)).orElseThrow();
    Measured saturating = levels.get(levels.size() - 1);
    report.put(what + "s_per_core_second", Math.round(last.perCoreSecond()));
    report.put(what + "s_per_second_at_knee", Math.round(last.completedPerSecond()));
    report.put(what + "_offered_per_second_at_knee", Math.round(last.level().offeredPerSecond()));
    report.put(what + "_cpu_cores_at_knee", last.cores());
    report.put(what + "_endpoints_at_knee", last.level().endpoints());
    report.put(what + "_saturated", saturating.cores() >= BUSY_CORES
        || saturating.completedPerSecond() < KEEPING_UP * saturating.level().offeredPerSecond());
    report.put(what + "s_per_second_past_saturation", Math.round(saturating.completedPerSecond()));
    report.put(what + "_cpu_cores_past_saturation", saturating.cores());
    report.put(what + "_load_average_1m", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
  }

  /**
   * Every level up to the first that saturates (or the last). A level past the knee may
   * collapse (probes pile up per instance, each on its own connection, until the open-files
   * limit fails them all): that is saturation, reported, not a benchmark that cannot run.
   */
  static List<Measured> measure(Kind kind) throws Exception {
    List<Measured> out = new ArrayList<>();
    for (Level level : LEVELS) {
      Measured m = measure(kind, level);
      System.out.printf("%s level: %d endpoints every %d ms: %.0f/s completed of %.0f offered, %.2f cores, %.0f per core-second%n",
          kind, level.endpoints(), level.tick().toMillis(), m.completedPerSecond(), level.offeredPerSecond(),
          m.cores(), m.perCoreSecond());
      // the last level's HTTP client and its connections go (the JDK's client has no close):
      // left open, they reach the open-files limit by the fourth level
      System.gc();
      Thread.sleep(1000);
      if (m.completedPerSecond() <= 0 && out.isEmpty()) {
        // the lightest level: the benchmark cannot run here
        throw new AssertionError(kind + ": nothing completed at " + level);
      }
      out.add(m);
      if (m.cores() >= BUSY_CORES || m.completedPerSecond() < KEEPING_UP * level.offeredPerSecond()) {
        break;
      }
    }
    return out;
  }

  private static Measured measure(Kind kind, Level level) throws Exception {
    String body = "# TYPE process_cpu_seconds_total counter\nprocess_cpu_seconds_total 1.5\n"
        + "# TYPE hello_requests_total counter\nhello_requests_total 42\n";
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    int n = level.endpoints();
    try (LoopbackHttpFarm farm = new LoopbackHttpFarm(n, kind == Kind.SCRAPES ? body : "ok\n");
        Supervisors supervisors = new Supervisors(Clock.systemUTC(), level.tick(), registry)) {
      FleetId fleet = new FleetId("bench", kind.name().toLowerCase());
      HealthBench.StaticProvider provider = new HealthBench.StaticProvider(fleet, farm.addresses());
      if (kind == Kind.SCRAPES) {
        // probed until ready, then hourly: what remains is the autoscaler's scrapes, one per instance per tick
        ProbeSpec probe = ProbeSpec.http("/health", Duration.ofHours(1), 3);
        // the default tick's scrape timeout at every level: a shorter one would turn a busy
        // supervisor's late answers into errors, and measure the timeout instead of the capacity
        AutoscaleSpec autoscale = new AutoscaleSpec(MetricSource.cpu("/metrics", null, Duration.ofMillis(800)),
            ScaleLimits.of(n, n), TargetTracking.Settings.of("cpu", 70), null, level.tick());
        supervisors.supervise(fleet, new SupervisionSpec(provider, probe, autoscale, null, 0, n));
      } else {
        supervisors.supervise(fleet, SupervisionSpec.fixed(provider, ProbeSpec.http("/health", level.tick(), 3), n));
      }
      Thread.sleep(WARM_UP.toMillis()); // every instance ready, connections open, JIT done
      ThreadMXBean threads = ManagementFactory.getThreadMXBean();
      long cpu0 = HealthBench.supervisorCpuNanos(threads);
      double done0 = completed(kind, registry);
      long t0 = System.nanoTime();
      Thread.sleep(WINDOW.toMillis());
      double seconds = (System.nanoTime() - t0) / 1e9;
      double cores = (HealthBench.supervisorCpuNanos(threads) - cpu0) / 1e9 / seconds;
      return new Measured(level, (completed(kind, registry) - done0) / seconds, cores);
    }
  }

  /** Probes that passed, or scrapes that were answered and parsed (scrapes less errors). */
  private static double completed(Kind kind, SimpleMeterRegistry registry) {
    if (kind == Kind.PROBES) {
      return registry.find("dustcloud_probe_duration_seconds").tag("outcome", "pass").timers().stream()
          .mapToDouble(Timer::count).sum();
    }
    double scrapes = registry.find("dustcloud_autoscaler_scrapes_total").counters().stream()
        .mapToDouble(Counter::count).sum();
    double errors = registry.find("dustcloud_autoscaler_scrape_errors_total").counters().stream()
        .mapToDouble(Counter::count).sum();
    return scrapes - errors;
  }
}
