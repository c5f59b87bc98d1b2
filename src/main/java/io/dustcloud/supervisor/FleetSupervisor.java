package io.dustcloud.supervisor;

import io.dustcloud.core.health.HealthPolicy;
import io.dustcloud.core.health.InstanceHealth;
import io.dustcloud.core.health.ProbeResult;
import io.dustcloud.core.health.Readiness;
import io.dustcloud.core.health.Repair;
import io.dustcloud.core.health.RepairLedger;
import io.dustcloud.core.health.RepairPlan;
import io.dustcloud.core.health.RepairPlanner;
import io.dustcloud.provider.FleetId;
import io.dustcloud.provider.FleetObservation;
import io.dustcloud.provider.FleetProvider;
import io.dustcloud.provider.InstanceState;
import io.dustcloud.provider.InstanceView;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The per-second loop of one fleet: observe the provider, probe instances, publish the ready
 * set to the provider's endpoint, repair what failed (within {@link RepairPlanner}'s bounds)
 * and wake the reconciler when something changed. Probes run asynchronously; a tick whose
 * probes are still out is skipped rather than queued, so a slow fleet never piles up work.
 * Instances not yet ready are probed every tick, ready ones every probe period.
 */
final class FleetSupervisor {
  private static final Logger log = LoggerFactory.getLogger(FleetSupervisor.class);

  private final FleetId fleet;
  private final FleetProvider provider;
  private final HttpProber prober;
  private final Clock clock;
  private final Executor executor;
  private final FleetListener listener;
  private final SupervisorMetrics metrics;
  private volatile ProbeSpec spec;
  private final AtomicBoolean busy = new AtomicBoolean();
  // touched only by the one tick in progress (busy guards it)
  private final Map<String, Readiness> readiness = new HashMap<>();
  private RepairLedger ledger;
  private volatile FleetHealth snapshot = FleetHealth.EMPTY;
  private List<String> lastMembers = List.of();
  // boot latency: instances started since this supervisor began; older ones were adopted
  // after an operator restart and their boot was not observed
  private static final java.time.Duration ADOPTION_SLACK = java.time.Duration.ofSeconds(10);
  private final Instant startedAt;
  private final java.util.Set<String> seen = new java.util.HashSet<>();
  private final java.util.Set<String> booting = new java.util.HashSet<>();
  private final BootLatencies boots = new BootLatencies();

  FleetSupervisor(FleetId fleet, FleetProvider provider, HttpProber prober, Clock clock, Executor executor,
      ProbeSpec spec, FleetListener listener, SupervisorMetrics metrics, long repairsSoFar) {
    this.ledger = new RepairLedger(java.util.Map.of(), repairsSoFar);
    this.fleet = fleet;
    this.provider = provider;
    this.prober = prober;
    this.clock = clock;
    this.executor = executor;
    this.spec = spec;
    this.listener = listener;
    this.metrics = metrics;
    this.startedAt = clock.instant();
  }

  void update(ProbeSpec spec) {
    this.spec = spec;
  }

  FleetHealth health() {
    return snapshot;
  }

  /** Starts one tick unless the previous one is still running. */
  void tick() {
    if (!busy.compareAndSet(false, true)) {
      return;
    }
    try {
      FleetObservation observed = provider.observe(fleet);
      ProbeSpec probe = spec;
      Instant now = clock.instant();
      Map<String, CompletableFuture<ProbeResult>> inFlight = new HashMap<>();
      for (InstanceView instance : observed.instances()) {
        if (!probeable(instance)) {
          continue;
        }
        Readiness r = readiness.getOrDefault(instance.id(), Readiness.UNKNOWN);
        boolean due = !r.ready() || r.lastProbedAt() == null || !now.isBefore(r.lastProbedAt().plus(probe.period()));
        if (due) {
          inFlight.put(instance.id(), prober.probe(instance.address(), probe));
        }
      }
      CompletableFuture.allOf(inFlight.values().toArray(CompletableFuture[]::new))
          .completeOnTimeout(null, probe.timeout().toMillis() + 500, TimeUnit.MILLISECONDS)
          .whenCompleteAsync((v, e) -> finish(observed, inFlight, probe), executor);
    } catch (RuntimeException e) {
      log.warn("fleet {}: observe failed: {}", fleet, e.getMessage());
      busy.set(false);
    }
  }

  private void finish(FleetObservation observed, Map<String, CompletableFuture<ProbeResult>> inFlight, ProbeSpec probe) {
    try {
      Instant now = clock.instant();
      HealthPolicy policy = probe.policyFor(observed.instances().size());
      Map<String, Readiness> next = new HashMap<>();
      List<InstanceHealth> instances = new ArrayList<>();
      for (InstanceView instance : observed.instances()) {
        Readiness before = readiness.getOrDefault(instance.id(), Readiness.UNKNOWN);
        Readiness r = before;
        if (!probeable(instance)) {
          r = r.lost();
        } else {
          CompletableFuture<ProbeResult> f = inFlight.get(instance.id());
          if (f != null) {
            ProbeResult result = f.getNow(ProbeResult.fail(probe.timeout().toMillis(), "probe timed out"));
            metrics.probed(fleet, result);
            r = r.observe(result, policy.failureThreshold(), policy.successThreshold(), now);
          }
        }
        if (r.ready() && !before.ready()) {
          ledger = ledger.recovered(instance.revision());
        }
        observeBoot(instance, r);
        next.put(instance.id(), r);
        instances.add(new InstanceHealth(instance.id(), instance.revision(), instance.createdAt(),
            instance.state() == InstanceState.FAILED, r));
      }
      readiness.clear();
      readiness.putAll(next);
      seen.retainAll(next.keySet());
      booting.retainAll(next.keySet());
      boots.retain(observed.instances().stream().map(InstanceView::revision).collect(java.util.stream.Collectors.toSet()));

      RepairPlan plan = RepairPlanner.plan(instances, ledger, policy, now);
      for (Repair repair : plan.repairs()) {
        repair(repair, now);
      }
      publish(observed, next, plan);
    } catch (RuntimeException e) {
      log.error("fleet {}: supervisor tick failed", fleet, e);
    } finally {
      busy.set(false);
    }
  }

  /** Counts a new instance as a cold start and records its boot latency at its first passing probe. */
  private void observeBoot(InstanceView instance, Readiness r) {
    if (seen.add(instance.id()) && !instance.createdAt().isBefore(startedAt.minus(ADOPTION_SLACK))) {
      booting.add(instance.id());
      metrics.coldStart(fleet, instance.revision(), runtime(instance));
    }
    if (r.everReady() && booting.remove(instance.id())) {
      java.time.Duration latency = java.time.Duration.between(instance.createdAt(), r.firstReadyAt());
      metrics.booted(fleet, instance.revision(), runtime(instance), latency);
      boots.record(instance.revision(), latency.toMillis());
    }
  }

  private String runtime(InstanceView instance) {
    try {
      return provider.runtime(fleet, instance.id());
    } catch (RuntimeException e) {
      return provider.name();
    }
  }

  private void repair(Repair repair, Instant now) {
    try {
      // exited instances are replaced by the provider's own realize: do not replace twice
      if (!repair.reason().equals("exited")) {
        provider.replace(fleet, List.of(repair.instanceId()));
      }
      ledger = ledger.repaired(repair.revision(), now);
      readiness.remove(repair.instanceId());
      metrics.repaired(fleet, repair.reason().split(":")[0]);
      listener.repaired(fleet, repair);
    } catch (RuntimeException e) {
      log.warn("fleet {}: replacing {} failed: {}", fleet, repair.instanceId(), e.getMessage());
      listener.repairFailed(fleet, repair, e.getMessage());
    }
  }

  private void publish(FleetObservation observed, Map<String, Readiness> next, RepairPlan plan) {
    FleetHealth before = snapshot;
    snapshot = new FleetHealth(next, plan.unhealthy(), plan.suspended(), plan.waiting(), ledger.totalRepairs(),
        boots.medians());
    try {
      provider.updateReady(fleet, snapshot.readyIds());
    } catch (RuntimeException e) {
      log.warn("fleet {}: updating the endpoint failed: {}", fleet, e.getMessage());
    }
    List<String> members = observed.instances().stream().map(i -> i.id() + "/" + i.state()).sorted().toList();
    if (!members.equals(lastMembers) || !Objects.equals(before.reportable(), snapshot.reportable())) {
      lastMembers = members;
      listener.changed(fleet);
    }
  }

  private static boolean probeable(InstanceView i) {
    return i.state() != InstanceState.FAILED && i.state() != InstanceState.STOPPING;
  }
}
