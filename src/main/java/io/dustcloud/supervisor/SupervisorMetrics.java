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

  SupervisorMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  void probed(FleetId fleet, ProbeResult result) {
    Timer.builder("dustcloud_probe_duration_seconds")
        .description("Health probe latency")
        .tags("namespace", fleet.namespace(), "name", fleet.name(), "outcome", result.passed() ? "pass" : "fail")
        .publishPercentileHistogram(false)
        .register(registry)
        .record(Duration.ofMillis(result.latencyMillis()));
    if (!result.passed()) {
      Counter.builder("dustcloud_probe_failures_total")
          .description("Failed health probes")
          .tags("namespace", fleet.namespace(), "name", fleet.name())
          .register(registry)
          .increment();
    }
  }

  void repaired(FleetId fleet, String cause) {
    Counter.builder("dustcloud_repairs_total")
        .description("Instances replaced because they failed health checks or exited")
        .tags("namespace", fleet.namespace(), "name", fleet.name(), "cause", cause)
        .register(registry)
        .increment();
  }

  void remove(FleetId fleet) {
    registry.getMeters().stream()
        .filter(m -> m.getId().getName().startsWith("dustcloud_probe") || m.getId().getName().startsWith("dustcloud_repairs"))
        .filter(m -> fleet.namespace().equals(m.getId().getTag("namespace")) && fleet.name().equals(m.getId().getTag("name")))
        .forEach(registry::remove);
  }
}
