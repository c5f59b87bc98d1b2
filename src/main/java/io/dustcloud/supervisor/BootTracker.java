package io.dustcloud.supervisor;

import io.dustcloud.core.health.Readiness;
import io.dustcloud.provider.FleetObservation;
import io.dustcloud.provider.InstanceView;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Cold starts and boot latency of one fleet: counts every new instance as a cold start and
 * records its boot latency (start to first passing probe) when it first becomes ready, in the
 * metrics and in {@link BootLatencies} for the revisions' medians. Only instances started since
 * this tracker began count: older ones were adopted after an operator restart, and their boot
 * was not observed.
 *
 * <p>Concurrency: confined to the fleet's tick (one at a time); no lock.
 */
final class BootTracker {
  private static final Duration ADOPTION_SLACK = Duration.ofSeconds(10);
  private final SupervisorContext ctx;
  private final Instant startedAt;
  private final Set<String> seen = new HashSet<>();
  private final Set<String> booting = new HashSet<>();
  private final BootLatencies boots = new BootLatencies();

  BootTracker(SupervisorContext ctx) {
    this.ctx = ctx;
    this.startedAt = ctx.clock().instant();
  }

  /** Takes one observation in, with each observed instance's readiness. */
  void observe(FleetObservation observed, Map<String, Readiness> readiness) {
    for (InstanceView instance : observed.instances()) {
      observe(instance, readiness.get(instance.id()));
    }
    seen.retainAll(readiness.keySet());
    booting.retainAll(readiness.keySet());
    boots.retain(observed.instances().stream().map(InstanceView::revision).collect(Collectors.toSet()));
  }

  private void observe(InstanceView instance, Readiness r) {
    if (seen.add(instance.id()) && !instance.createdAt().isBefore(startedAt.minus(ADOPTION_SLACK))) {
      booting.add(instance.id());
      ctx.metrics().coldStart(ctx.fleet(), instance.revision(), ctx.runtime(instance.id()));
    }
    if (r != null && r.everReady() && booting.remove(instance.id())) {
      Duration latency = Duration.between(instance.createdAt(), r.firstReadyAt());
      ctx.metrics().booted(ctx.fleet(), instance.revision(), ctx.runtime(instance.id()), latency);
      boots.record(instance.revision(), latency.toMillis());
    }
  }

  /** The median boot latency of each revision's recent instances. */
  Map<String, Long> medians() {
    return boots.medians();
  }
}
