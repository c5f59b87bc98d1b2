package io.dustcloud.operator;

import io.dustcloud.provider.FleetId;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** Per-fleet gauges: desired, actual and ready instances. */
public final class FleetMetrics {
  private final MeterRegistry registry;
  private final Map<FleetId, Values> fleets = new ConcurrentHashMap<>();

  private record Values(AtomicInteger desired, AtomicInteger actual, AtomicInteger ready) {}

  public FleetMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  public void record(FleetId fleet, int desired, int actual, int ready) {
    Values v =
        fleets.computeIfAbsent(
            fleet,
            f -> {
              Values created = new Values(new AtomicInteger(), new AtomicInteger(), new AtomicInteger());
              Tags tags = Tags.of("namespace", f.namespace(), "name", f.name());
              gauge("dustcloud_fleet_desired_replicas", "Instances the fleet should have", tags, created.desired());
              gauge("dustcloud_fleet_replicas", "Instances that exist", tags, created.actual());
              gauge("dustcloud_fleet_ready_replicas", "Instances passing health checks", tags, created.ready());
              return created;
            });
    v.desired().set(desired);
    v.actual().set(actual);
    v.ready().set(ready);
  }

  private void gauge(String name, String help, Tags tags, AtomicInteger value) {
    Gauge.builder(name, value, AtomicInteger::get).description(help).tags(tags).register(registry);
  }

  /** A rollout started ({@code outcome=started}), completed ({@code promoted}) or was rolled back. */
  public void rollout(FleetId fleet, String outcome) {
    io.micrometer.core.instrument.Counter.builder("dustcloud_rollouts_total")
        .description("Rollouts by outcome: started, promoted, rolled_back")
        .tags("namespace", fleet.namespace(), "name", fleet.name(), "outcome", outcome)
        .register(registry)
        .increment();
  }

  public void remove(FleetId fleet) {
    if (fleets.remove(fleet) != null) {
      Tags tags = Tags.of("namespace", fleet.namespace(), "name", fleet.name());
      for (String name : new String[] {"dustcloud_fleet_desired_replicas", "dustcloud_fleet_replicas",
          "dustcloud_fleet_ready_replicas", "dustcloud_rollouts_total"}) {
        registry.find(name).tags(tags).meters().forEach(registry::remove);
      }
    }
  }
}
