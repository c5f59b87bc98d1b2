package io.dustcloud.supervisor;

import io.dustcloud.core.autoscale.ScaleDecision;
import io.dustcloud.provider.FleetId;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/** Autoscaler metrics per fleet: the observed metric, panic, scrapes and their errors, decision latency. */
final class AutoscalerMetrics {
  static final String PREFIX = "dustcloud_autoscaler_";
  private final MeterRegistry registry;
  /** The last decision per fleet, read by the gauges. */
  private final Map<FleetId, AtomicReference<ScaleDecision>> last = new ConcurrentHashMap<>();

  /**
   * Each fleet's per-round meters, looked up once: registering them anew every round (a builder,
   * its tags and a registry lookup, three a round) was measurable at 1,000 settled fleets.
   */
  private final Map<FleetId, Meters> meters = new ConcurrentHashMap<>();

  private record Meters(Counter scrapes, Counter errors, Timer decisions) {}

  AutoscalerMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  void decided(FleetId fleet, String metric, ScaleDecision decision, Duration latency) {
    last.computeIfAbsent(fleet, f -> {
      AtomicReference<ScaleDecision> ref = new AtomicReference<>(decision);
      Tags tags = tags(f);
      Gauge.builder(PREFIX + "observed_value", ref, r -> r.get().observed())
          .description("Mean per-instance value of the scaling metric over the ready instances (NaN without data)")
          .tags(tags.and("metric", metric)).register(registry);
      Gauge.builder(PREFIX + "panic", ref, r -> r.get().panic() ? 1 : 0)
          .description("1 while target tracking is in panic mode").tags(tags).register(registry);
      Gauge.builder(PREFIX + "recommended_replicas", ref, r -> r.get().recommended())
          .description("Instances the metric alone asks for, before delay, rate and min/max limits")
          .tags(tags).register(registry);
      return ref;
    }).set(decision);
    meters(fleet).decisions().record(latency);
  }

  void scraped(FleetId fleet, int ok, int failed) {
    Meters m = meters(fleet);
    m.scrapes().increment(ok + failed);
    m.errors().increment(failed);
  }

  private Meters meters(FleetId fleet) {
    return meters.computeIfAbsent(fleet, f -> new Meters(
        Counter.builder(PREFIX + "scrapes_total").description("Metrics scrapes of ready instances")
            .tags(tags(f)).register(registry),
        Counter.builder(PREFIX + "scrape_errors_total")
            .description("Metrics scrapes that failed, timed out or lacked the metric (counted as missing, not zero)")
            .tags(tags(f)).register(registry),
        Timer.builder(PREFIX + "decision_duration_seconds")
            .description("From the start of a tick's scrapes to its scaling decision")
            .tags(tags(f)).register(registry)));
  }

  void scaled(FleetId fleet, String direction) {
    Counter.builder(PREFIX + "scale_events_total").description("Changes of the desired total, by direction")
        .tags(tags(fleet).and("direction", direction)).register(registry).increment();
  }

  void remove(FleetId fleet) {
    last.remove(fleet);
    meters.remove(fleet);
    registry.getMeters().stream()
        .filter(m -> m.getId().getName().startsWith(PREFIX))
        .filter(m -> fleet.namespace().equals(m.getId().getTag("namespace")) && fleet.name().equals(m.getId().getTag("name")))
        .forEach(registry::remove);
  }

  private static Tags tags(FleetId f) {
    return Tags.of("namespace", f.namespace(), "name", f.name());
  }
}
