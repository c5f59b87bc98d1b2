package io.dustcloud.supervisor;

import io.dustcloud.core.health.Readiness;
import io.dustcloud.provider.FleetObservation;
import io.dustcloud.provider.InstanceState;
import io.dustcloud.provider.InstanceView;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The loop of one fleet. Each run observes the provider, then has its parts do their share:
 * {@link ProbeScheduler} starts the probes that are due, {@link BootTracker} takes new and
 * newly ready instances in, {@link RepairLoop} repairs what failed, and {@link FleetAutoscaler}
 * (when the fleet is autoscaled) starts a scrape round when one is due. The run then publishes
 * the {@link FleetHealth}, routes the served revisions' ready instances, and wakes the listener
 * when readiness, membership or the repair state changed (the autoscaler wakes it on a changed
 * decision).
 *
 * <p>Concurrency: runs never overlap ({@link Supervisors} queues at most one per fleet) and
 * own the tick-confined parts; settings come in from the reconciler and results go out to it
 * through volatile fields only ({@link #update}, {@link #snapshot}). Each part documents its own.
 */
final class FleetSupervisor {
  private static final Logger log = LoggerFactory.getLogger(FleetSupervisor.class);

  private final SupervisorContext ctx;
  private final ProbeScheduler probes;
  private final RepairLoop repairs;
  private final BootTracker boots;
  private final AutoscalerFactory autoscalers;
  /** The total of a fleet that is not autoscaled. */
  private volatile int fixedTotal;
  private volatile SupervisionSpec spec;
  /** Null when the fleet is not autoscaled. */
  private volatile FleetAutoscaler autoscaler;
  private volatile FleetHealth health = FleetHealth.EMPTY;
  /** Every instance ready, nothing to repair, no more wanted: runs may slow to one per tick. */
  private volatile boolean settled;
  /** Asks for a run now (set by {@link Supervisors}); a readiness change must not wait for the next beat. */
  private volatile Runnable kick = () -> {};
  // confined to runs
  private List<String> lastMembers = List.of();

  /** Makes the autoscaler of a fleet, starting from a total. */
  interface AutoscalerFactory {
    FleetAutoscaler create(AutoscaleSpec spec, int initialTotal);
  }

  FleetSupervisor(SupervisorContext ctx, SupervisionSpec spec, AutoscalerFactory autoscalers) {
    this.ctx = ctx;
    this.spec = spec;
    this.autoscalers = autoscalers;
    this.fixedTotal = spec.initialTotal();
    this.probes = new ProbeScheduler(ctx, () -> {
      settled = false;
      kick.run();
    });
    this.repairs = new RepairLoop(ctx, spec.repairsSoFar());
    this.boots = new BootTracker(ctx);
    this.autoscaler = spec.autoscale() == null ? null : autoscalers.create(spec.autoscale(), spec.initialTotal());
  }

  /**
   * New probe, autoscale and serving settings (the provider and the seeds are kept). A fleet
   * that starts to be autoscaled starts from its fixed total; one that stops keeps its last.
   * Called by {@link Supervisors} one at a time (under its map's lock for this fleet).
   */
  void update(SupervisionSpec next) {
    FleetAutoscaler a = autoscaler;
    if (next.autoscale() == null) {
      if (a != null) {
        fixedTotal = a.total();
        autoscaler = null;
      }
    } else if (a == null) {
      autoscaler = autoscalers.create(next.autoscale(), fixedTotal);
    } else {
      a.update(next.autoscale());
    }
    spec = next;
  }

  FleetSnapshot snapshot() {
    FleetAutoscaler a = autoscaler;
    return a == null ? new FleetSnapshot(health, null, fixedTotal)
        : new FleetSnapshot(health, a.decision(), a.total());
  }

  /**
   * Whether this beat may be skipped: the fleet is settled and no autoscaling round is due
   * (a round still out, or started less than a tick ago) — so rounds keep their per-second
   * pace even when the last one came back late.
   */
  boolean idle() {
    FleetAutoscaler a = autoscaler;
    return settled && (a == null || a.idle());
  }

  /** Every instance ready, nothing to repair and no more wanted, as of the last run. */
  boolean settled() {
    return settled;
  }

  /** Not settled until a run says so: the autoscaler changed the total, the fleet's instances follow. */
  void unsettle() {
    settled = false;
  }

  void onReadinessChange(Runnable kick) {
    this.kick = kick;
  }

  /** One run; never two of one fleet at once. */
  void tick() {
    FleetObservation observed;
    try {
      observed = ctx.provider().observe(ctx.fleet());
    } catch (RuntimeException e) {
      log.warn("fleet {}: observe failed: {}", ctx.fleet(), e.getMessage());
      return;
    }
    SupervisionSpec s = spec;
    ProbeScheduler.View view = probes.startDue(observed, s.probe());
    try {
      boots.observe(observed, view.readiness());
      publish(observed, repairs.run(observed, s.probe(), view, probes), s.serving());
    } catch (RuntimeException e) {
      log.error("fleet {}: supervisor tick failed", ctx.fleet(), e);
    }
    FleetAutoscaler a = autoscaler;
    if (a != null && !a.idle()) {
      a.run(readyAddresses(observed));
    }
  }

  private Map<String, String> readyAddresses(FleetObservation observed) {
    FleetHealth h = health;
    Map<String, String> ready = new HashMap<>();
    for (InstanceView i : observed.instances()) {
      if (ProbeScheduler.probeable(i) && h.isReady(i.id())) {
        ready.put(i.id(), i.address());
      }
    }
    return ready;
  }

  private void publish(FleetObservation observed, RepairLoop.Outcome outcome, Set<String> serving) {
    FleetHealth before = health;
    Map<String, Readiness> readiness = outcome.readiness();
    var plan = outcome.plan();
    FleetHealth now = new FleetHealth(readiness, plan.unhealthy(), plan.suspended(), plan.waiting(),
        outcome.totalRepairs(), boots.medians(), outcome.crashLoops());
    health = now;
    // a fleet its autoscaler wants larger is about to get instances: runs at full rate notice
    // them a quarter tick after they start, not a tick (issue 20: reaction to served)
    FleetAutoscaler a = autoscaler;
    settled = !readiness.isEmpty() && readiness.values().stream().allMatch(Readiness::ready)
        && plan.unhealthy().isEmpty() && plan.waiting() == null
        && observed.instances().stream().allMatch(i -> i.state() == InstanceState.RUNNING)
        && (a == null || a.total() <= observed.instances().size());
    Set<String> routed = observed.instances().stream()
        .filter(i -> now.isReady(i.id()) && (serving == null || serving.contains(i.revision())))
        .map(InstanceView::id)
        .collect(Collectors.toSet());
    try {
      ctx.provider().updateReady(ctx.fleet(), routed);
    } catch (RuntimeException e) {
      log.warn("fleet {}: updating the endpoint failed: {}", ctx.fleet(), e.getMessage());
    }
    // an instance entering the endpoint's rotation (GCE: passing the load balancer's own check)
    // starts to count as serving: a rollout waiting for it must hear of it now
    List<String> members = observed.instances().stream()
        .map(i -> i.id() + "/" + i.state() + (observed.inRotation(i.id()) ? "" : "/out")).sorted().toList();
    if (!members.equals(lastMembers) || !Objects.equals(before.reportable(), now.reportable())) {
      lastMembers = members;
      ctx.listener().changed(ctx.fleet());
    }
  }
}
