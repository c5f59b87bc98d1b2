package io.dustcloud.supervisor;

import io.dustcloud.core.health.ProbeResult;
import io.dustcloud.provider.FleetId;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;

/** Probe and repair metrics, per fleet. */
final class SupervisorMetrics {
  private final MeterRegistry registry;
  static final Duration[] BOOT_BUCKETS = java.util.stream.Stream.of(10, 50, 100, 250, 500, 1000, 2000, 5000, 10_000,
      30_000, 60_000, 300_000).map(Duration::ofMillis).toArray(Duration[]::new);
  /** Probe meters per fleet, looked up once: probes are the hot path (thousands a second). */
  private final java.util.Map<FleetId, ProbeMeters> probes = new java.util.concurrent.ConcurrentHashMap<>();

  private record ProbeMeters(Timer passed, Timer failed, Counter failures) {}

  SupervisorMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  void probed(FleetId fleet, ProbeResult result) {
    ProbeMeters m = probes.computeIfAbsent(fleet, this::probeMeters);
    (result.passed() ? m.passed() : m.failed()).record(Duration.ofMillis(result.latencyMillis()));
    if (!result.passed()) {
      m.failures().increment();
    }
  }

  private ProbeMeters probeMeters(FleetId fleet) {
    return new ProbeMeters(probeTimer(fleet, "pass"), probeTimer(fleet, "fail"),
        Counter.builder("dustcloud_probe_failures_total")
            .description("Failed health probes")
            .tags("namespace", fleet.namespace(), "name", fleet.name())
            .register(registry));
  }

  private Timer probeTimer(FleetId fleet, String outcome) {
    return Timer.builder("dustcloud_probe_duration_seconds")
        .description("Health probe latency")
        .tags("namespace", fleet.namespace(), "name", fleet.name(), "outcome", outcome)
        .publishPercentileHistogram(false)
        .register(registry);
  }

  void repaired(FleetId fleet, String cause) {
    Counter.builder("dustcloud_repairs_total")
        .description("Instances replaced because they failed health checks or exited")
        .tags("namespace", fleet.namespace(), "name", fleet.name(), "cause", cause)
        .register(registry)
        .increment();
  }

  /** A new instance was started (scale-up, replacement, rollout): every unikernel start is cold. */
  void coldStart(FleetId fleet, String revision, String runtime) {
    Counter.builder("dustcloud_cold_starts_total")
        .description("Instances started from nothing (no warm pool); compare with the boot histogram's count for starts that never became ready")
        .tags("namespace", fleet.namespace(), "name", fleet.name(), "revision", revision, "runtime", runtime)
        .register(registry)
        .increment();
  }

  /** Start to first passing probe; resolution is the supervisor's tick (1 s by default). */
  void booted(FleetId fleet, String revision, String runtime, Duration latency) {
    Timer.builder("dustcloud_boot_duration_seconds")
        .description("Time from instance start to its first passing health probe")
        .tags("namespace", fleet.namespace(), "name", fleet.name(), "revision", revision, "runtime", runtime)
        // a dozen buckets, not Micrometer's ~40: this histogram is per fleet and revision
        .serviceLevelObjectives(BOOT_BUCKETS)
        .register(registry)
        .record(latency);
  }

  void remove(FleetId fleet) {
    probes.remove(fleet);
    registry.getMeters().stream()
        .filter(m -> m.getId().getName().startsWith("dustcloud_probe") || m.getId().getName().startsWith("dustcloud_repairs")
            || m.getId().getName().startsWith("dustcloud_boot") || m.getId().getName().startsWith("dustcloud_cold_starts"))
        .filter(m -> fleet.namespace().equals(m.getId().getTag("namespace")) && fleet.name().equals(m.getId().getTag("name")))
        .forEach(registry::remove);
  }
}
