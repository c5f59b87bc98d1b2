package io.dustcloud.supervisor;

import io.dustcloud.core.autoscale.ScaleDecision;
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
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The per-second loop of one fleet: observe the provider, start the probes that are due,
 * publish the ready set to the provider's endpoint, repair what failed (within
 * {@link RepairPlanner}'s bounds) and wake the reconciler when something changed.
 *
 * <p>Probes are asynchronous and each instance's results arrive on their own: a tick never
 * waits for a probe, so a hung instance delays nobody, not even its own next probe (a probe
 * may start while the previous one still waits for its timeout; at most
 * {@link #maxInFlight} per instance). Instances not yet ready are probed on every run (four
 * per tick), ready ones every probe period.
 *
 * <p>Autoscaling rides on the same loop: once per autoscaling tick the ready instances are
 * scraped (asynchronously, like probes; a round still out is not overlapped), the
 * {@link FleetAutoscaler} decides the fleet's total, and a changed total wakes the reconciler
 * so the resize happens within the tick.
 */
final class FleetSupervisor {
  private static final Logger log = LoggerFactory.getLogger(FleetSupervisor.class);

  private final FleetId fleet;
  private final FleetProvider provider;
  private final HttpProber prober;
  private final Clock clock;
  private final Duration tick;
  private final FleetListener listener;
  private final SupervisorMetrics metrics;
  private volatile ProbeSpec spec;
  private volatile Set<String> serving;
  /** Null when the fleet is not autoscaled. */
  private final FleetAutoscaler autoscaler;
  private final AtomicBoolean scraping = new AtomicBoolean();

  // guarded by this
  private final Map<String, Probed> instances = new HashMap<>();
  private RepairLedger ledger;
  private List<String> lastMembers = List.of();
  private volatile FleetHealth snapshot = FleetHealth.EMPTY;
  /** Every instance ready and nothing to repair: ticks may slow to one per tick period. */
  private volatile boolean settled;
  /** Asks for a tick now (set by {@link Supervisors}); a readiness change must not wait for the next beat. */
  private volatile Runnable kick = () -> {};
  // boot latency: instances started since this supervisor began; older ones were adopted
  // after an operator restart and their boot was not observed
  private static final Duration ADOPTION_SLACK = Duration.ofSeconds(10);
  private final Instant startedAt;
  private final Set<String> seen = new java.util.HashSet<>();
  private final Set<String> booting = new java.util.HashSet<>();
  private final BootLatencies boots = new BootLatencies();

  /** One instance's probe state: readiness, when its last probe started, probes still out. */
  private static final class Probed {
    Readiness readiness = Readiness.UNKNOWN;
    Instant lastStarted;
    int inFlight;
    String revision;
  }

  FleetSupervisor(FleetId fleet, FleetProvider provider, HttpProber prober, Clock clock, Duration tick,
      ProbeSpec spec, FleetListener listener, SupervisorMetrics metrics, long repairsSoFar, FleetAutoscaler autoscaler) {
    this.autoscaler = autoscaler;
    this.fleet = fleet;
    this.provider = provider;
    this.prober = prober;
    this.clock = clock;
    this.tick = tick;
    this.spec = spec;
    this.listener = listener;
    this.metrics = metrics;
    this.ledger = new RepairLedger(Map.of(), repairsSoFar);
    this.startedAt = clock.instant();
  }

  void update(ProbeSpec spec, AutoscaleSpec autoscale) {
    this.spec = spec;
    if (autoscaler != null && autoscale != null) {
      autoscaler.update(autoscale);
    }
  }

  /** The autoscaler's latest decision; null before the first or when not autoscaled. */
  ScaleDecision scale() {
    return autoscaler == null ? null : autoscaler.decision();
  }

  /** Null serves every revision. */
  void serve(Set<String> revisions) {
    this.serving = revisions == null ? null : Set.copyOf(revisions);
  }

  FleetHealth health() {
    return snapshot;
  }

  /**
   * Whether this beat may be skipped: the fleet is settled and no autoscaling round is due
   * (a round still out, or started less than a tick ago) — so rounds keep their per-second
   * pace even when the last one came back late.
   */
  boolean idle() {
    return settled && (autoscaler == null || scraping.get() || !autoscaler.due(clock.instant()));
  }

  void onReadinessChange(Runnable kick) {
    this.kick = kick;
  }

  /** One tick; the scheduler never runs two ticks of one fleet at once. */
  void tick() {
    FleetObservation observed;
    try {
      observed = provider.observe(fleet);
    } catch (RuntimeException e) {
      log.warn("fleet {}: observe failed: {}", fleet, e.getMessage());
      return;
    }
    ProbeSpec probe = spec;
    startDueProbes(observed, probe);
    planRepairAndPublish(observed, probe);
    if (autoscaler != null) {
      autoscale(observed);
    }
  }

  /** Starts a scrape round of the ready instances when one is due and none is out. */
  private void autoscale(FleetObservation observed) {
    if (!scraping.compareAndSet(false, true)) {
      return;
    }
    FleetAutoscaler.Round round = null;
    try {
      FleetHealth health = snapshot;
      Map<String, String> ready = new HashMap<>();
      for (InstanceView i : observed.instances()) {
        if (probeable(i) && health.isReady(i.id())) {
          ready.put(i.id(), i.address());
        }
      }
      round = autoscaler.begin(ready, clock.instant());
    } finally {
      if (round == null) {
        scraping.set(false);
      }
    }
    if (round == null) {
      return;
    }
    FleetAutoscaler.Round started = round;
    long bound = started.spec().source().timeout().toMillis() + 200;
    CompletableFuture.allOf(started.futures())
        .completeOnTimeout(null, bound, TimeUnit.MILLISECONDS)
        .whenComplete((v, e) -> decide(started));
  }

  private void decide(FleetAutoscaler.Round round) {
    try {
      ScaleDecision before = autoscaler.decision();
      ScaleDecision d = autoscaler.finish(round, clock.instant());
      if (d.changed() || before == null || before.cap() != d.cap()) {
        log.info("fleet {}: desired {} -> {}: {}", fleet, d.previous(), d.desired(), d.reason());
        listener.changed(fleet);
      }
    } catch (RuntimeException e) {
      log.error("fleet {}: autoscaling decision failed", fleet, e);
    } finally {
      scraping.set(false);
    }
  }

  private synchronized void startDueProbes(FleetObservation observed, ProbeSpec probe) {
    Instant now = clock.instant();
    Set<String> present = observed.instances().stream().map(InstanceView::id).collect(Collectors.toSet());
    instances.keySet().retainAll(present);
    // half a tick of slack: a period equal to the tick must not skip a tick because of jitter
    Duration period = probe.period().minus(tick.dividedBy(2));
    int maxInFlight = maxInFlight(probe);
    for (InstanceView instance : observed.instances()) {
      Probed p = instances.computeIfAbsent(instance.id(), id -> new Probed());
      p.revision = instance.revision();
      if (!probeable(instance) || p.inFlight >= maxInFlight) {
        continue;
      }
      boolean due = !p.readiness.ready() || p.lastStarted == null || !now.isBefore(p.lastStarted.plus(period));
      if (due) {
        p.lastStarted = now;
        p.inFlight++;
        String id = instance.id();
        prober.probe(instance.address(), probe).thenAccept(result -> completed(id, result, probe));
      }
    }
  }

  /** Probes may outlive one period when their timeout is as long; bound how many pile up. */
  static int maxInFlight(ProbeSpec probe) {
    long ratio = (probe.timeout().toMillis() + probe.period().toMillis() - 1) / Math.max(1, probe.period().toMillis());
    return (int) Math.min(5, Math.max(1, ratio) + 1);
  }

  private synchronized void completed(String id, ProbeResult result, ProbeSpec probe) {
    metrics.probed(fleet, result);
    Probed p = instances.get(id);
    if (p == null) {
      return; // the instance is gone
    }
    p.inFlight--;
    Readiness before = p.readiness;
    HealthPolicy policy = probe.policy();
    p.readiness = before.observe(result, policy.failureThreshold(), policy.successThreshold(), clock.instant());
    if (p.readiness.ready() && !before.ready()) {
      ledger = ledger.recovered(p.revision);
    }
    if (p.readiness.ready() != before.ready()) {
      settled = false;
      kick.run();
    }
  }

  /**
   * Plans under this supervisor's lock, repairs outside it: a replacement calls the provider
   * and records an event, which can take seconds, and probe results (which take the lock)
   * must not wait for that — they arrive on shared threads.
   */
  private void planRepairAndPublish(FleetObservation observed, ProbeSpec probe) {
    try {
      Instant now = clock.instant();
      Map<String, Readiness> readiness = new HashMap<>();
      RepairPlan plan;
      synchronized (this) {
        HealthPolicy policy = probe.policyFor(observed.instances().size());
        List<InstanceHealth> health = new ArrayList<>();
        for (InstanceView instance : observed.instances()) {
          Probed p = instances.get(instance.id());
          Readiness r = probeable(instance) ? p.readiness : p.readiness.lost();
          observeBoot(instance, r);
          readiness.put(instance.id(), r);
          health.add(new InstanceHealth(instance.id(), instance.revision(), instance.createdAt(),
              instance.state() == InstanceState.FAILED, r));
        }
        seen.retainAll(readiness.keySet());
        booting.retainAll(readiness.keySet());
        boots.retain(observed.instances().stream().map(InstanceView::revision).collect(Collectors.toSet()));
        plan = RepairPlanner.plan(health, ledger, policy, now);
      }
      Map<String, Integer> repairedPerRevision = new HashMap<>();
      List<String> replaced = new ArrayList<>();
      for (Repair repair : plan.repairs()) {
        if (repair(repair)) {
          repairedPerRevision.merge(repair.revision(), 1, Integer::sum);
          replaced.add(repair.instanceId());
        }
      }
      synchronized (this) {
        replaced.forEach(id -> {
          readiness.remove(id);
          instances.remove(id);
        });
        repairedPerRevision.forEach((revision, count) -> ledger = ledger.repaired(revision, now, count));
        publish(observed, readiness, plan);
      }
    } catch (RuntimeException e) {
      log.error("fleet {}: supervisor tick failed", fleet, e);
    }
  }

  /** Counts a new instance as a cold start and records its boot latency at its first passing probe. */
  private void observeBoot(InstanceView instance, Readiness r) {
    if (seen.add(instance.id()) && !instance.createdAt().isBefore(startedAt.minus(ADOPTION_SLACK))) {
      booting.add(instance.id());
      metrics.coldStart(fleet, instance.revision(), runtime(instance));
    }
    if (r.everReady() && booting.remove(instance.id())) {
      Duration latency = Duration.between(instance.createdAt(), r.firstReadyAt());
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

  /** Replaces one instance; true when it was replaced. */
  private boolean repair(Repair repair) {
    try {
      // exited instances are replaced by the provider's own realize: do not replace twice
      if (!repair.reason().equals("exited")) {
        provider.replace(fleet, List.of(repair.instanceId()));
      }
      metrics.repaired(fleet, repair.reason().split(":")[0]);
      listener.repaired(fleet, repair);
      return true;
    } catch (RuntimeException e) {
      log.warn("fleet {}: replacing {} failed: {}", fleet, repair.instanceId(), e.getMessage());
      listener.repairFailed(fleet, repair, e.getMessage());
      return false;
    }
  }

  private void publish(FleetObservation observed, Map<String, Readiness> readiness, RepairPlan plan) {
    FleetHealth before = snapshot;
    snapshot = new FleetHealth(readiness, plan.unhealthy(), plan.suspended(), plan.waiting(), ledger.totalRepairs(),
        boots.medians());
    settled = !readiness.isEmpty() && readiness.values().stream().allMatch(Readiness::ready)
        && plan.unhealthy().isEmpty() && plan.waiting() == null
        && observed.instances().stream().allMatch(i -> i.state() == InstanceState.RUNNING);
    Set<String> allowed = serving;
    Set<String> routed = observed.instances().stream()
        .filter(i -> snapshot.isReady(i.id()) && (allowed == null || allowed.contains(i.revision())))
        .map(InstanceView::id)
        .collect(Collectors.toSet());
    try {
      provider.updateReady(fleet, routed);
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
