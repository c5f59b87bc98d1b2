package io.dustcloud.supervisor;

import io.dustcloud.core.health.CrashLoopBackoff;
import io.dustcloud.core.health.InstanceHealth;
import io.dustcloud.core.health.Readiness;
import io.dustcloud.core.health.Repair;
import io.dustcloud.core.health.RepairLedger;
import io.dustcloud.core.health.RepairPlan;
import io.dustcloud.core.health.RepairPlanner;
import io.dustcloud.provider.FleetObservation;
import io.dustcloud.provider.InstanceState;
import io.dustcloud.provider.InstanceView;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Repairs one fleet: plans from a readiness view ({@link RepairPlanner}), replaces the
 * instances the plan names, tells the listener and keeps the {@link RepairLedger}.
 *
 * <p>Concurrency: confined to the fleet's tick (one at a time), so the ledger needs no lock.
 * It never holds a lock while it calls the provider: a replacement can take seconds (a cloud
 * call, an event), and probe results, which take the {@link ProbeScheduler}'s lock on shared
 * HTTP threads, must not wait for it. Readiness comes in as a view taken under that lock, and
 * revisions that recovered while a replacement ran are taken in before the repairs are
 * booked, as they happened.
 */
final class RepairLoop {
  private static final Logger log = LoggerFactory.getLogger(RepairLoop.class);
  private final SupervisorContext ctx;
  private RepairLedger ledger;

  /** Lines of a failing instance's output that status quotes: few, since status is read by people. */
  static final int TAIL_LINES = 5;
  /** And bytes: a unikernel may print one endless line. */
  static final int TAIL_BYTES = 1024;
  /** The output tail of the instance each crash-looping revision last restarted, read before the restart. */
  private final Map<String, List<String>> tails = new HashMap<>();

  /**
   * One run's result: the plan, the readiness left once replaced instances are gone, repairs
   * made so far, and the revisions in crash-loop backoff.
   */
  record Outcome(RepairPlan plan, Map<String, Readiness> readiness, long totalRepairs, List<CrashLoop> crashLoops) {}

  RepairLoop(SupervisorContext ctx, long repairsSoFar) {
    this.ctx = ctx;
    this.ledger = new RepairLedger(Map.of(), repairsSoFar);
  }

  Outcome run(FleetObservation observed, ProbeSpec probe, ProbeScheduler.View view, ProbeScheduler probes) {
    Instant now = ctx.clock().instant();
    view.recovered().forEach(revision -> ledger = ledger.recovered(revision));
    List<InstanceHealth> health = new ArrayList<>();
    for (InstanceView instance : observed.instances()) {
      health.add(new InstanceHealth(instance.id(), instance.revision(), instance.createdAt(),
          instance.state() == InstanceState.FAILED, view.readiness().get(instance.id())));
    }
    RepairPlan plan = RepairPlanner.plan(health, ledger, probe.policyFor(observed.instances().size()), now);

    Map<String, Integer> repairedPerRevision = new HashMap<>();
    Map<String, Repair> firstCrash = new HashMap<>();
    Map<String, Integer> crashedPerRevision = new HashMap<>();
    List<String> replaced = new ArrayList<>();
    for (Repair repair : plan.repairs()) {
      boolean crash = repair.cause().beforeReady();
      List<String> tail = crash && !firstCrash.containsKey(repair.revision()) ? tail(repair.instanceId()) : null;
      if (repair(repair)) {
        if (crash) {
          crashedPerRevision.merge(repair.revision(), 1, Integer::sum);
          if (firstCrash.putIfAbsent(repair.revision(), repair) == null) {
            tails.put(repair.revision(), tail);
          }
        } else {
          repairedPerRevision.merge(repair.revision(), 1, Integer::sum);
        }
        replaced.add(repair.instanceId());
      }
    }
    Map<String, Readiness> readiness = view.readiness();
    if (!replaced.isEmpty()) {
      probes.drainRecovered().forEach(revision -> ledger = ledger.recovered(revision));
      repairedPerRevision.forEach((revision, count) -> ledger = ledger.repaired(revision, now, count));
      crashedPerRevision.forEach((revision, count) ->
          ledger = ledger.crashRestarted(firstCrash.get(revision), now, count));
      probes.forget(replaced);
      readiness = new HashMap<>(view.readiness());
      readiness.keySet().removeAll(replaced);
    }
    if (!ledger.crashLoops().isEmpty()) {
      // only fleets that crash-looped pay for this: the common run allocates nothing more
      ledger = ledger.crashLoopsObserved(revisions(observed), healthy(observed, view, plan), now);
      tails.keySet().retainAll(ledger.crashLoops().keySet());
    }
    return new Outcome(plan, readiness, ledger.totalRepairs(), crashLoops());
  }

  private static Set<String> revisions(FleetObservation observed) {
    Set<String> present = new HashSet<>();
    observed.instances().forEach(i -> present.add(i.revision()));
    return present;
  }

  /** Revisions with a ready instance and none failing before it became ready: on their way to a reset. */
  private static Set<String> healthy(FleetObservation observed, ProbeScheduler.View view, RepairPlan plan) {
    Set<String> healthy = new HashSet<>();
    for (InstanceView i : observed.instances()) {
      Readiness r = view.readiness().get(i.id());
      if (r != null && r.ready() && i.state() != InstanceState.FAILED) {
        healthy.add(i.revision());
      }
    }
    plan.unhealthy().stream().filter(r -> r.cause().beforeReady()).forEach(r -> healthy.remove(r.revision()));
    return healthy;
  }

  /** The revisions backing off now, as status shows them; only restarts change them. */
  private List<CrashLoop> crashLoops() {
    if (ledger.crashLoops().isEmpty()) {
      return List.of();
    }
    List<CrashLoop> loops = new ArrayList<>();
    new TreeMap<>(ledger.crashLoops()).forEach((revision, s) -> {
      if (s.looping()) {
        loops.add(new CrashLoop(revision, s.restarts(), CrashLoopBackoff.nextAttempt(s),
            CrashLoopBackoff.delay(s.restarts()), s.lastInstance(), s.lastReason(),
            tails.getOrDefault(revision, List.of())));
      }
    });
    return loops;
  }

  /** The last lines of an instance's output, read before it is replaced (its log may go with it). */
  private List<String> tail(String instanceId) {
    try {
      return ctx.provider().consoleTail(ctx.fleet(), instanceId, TAIL_LINES, TAIL_BYTES);
    } catch (RuntimeException e) {
      log.debug("fleet {}: no output of {}: {}", ctx.fleet(), instanceId, e.getMessage());
      return List.of();
    }
  }

  /** Replaces one instance; true when it was replaced. */
  private boolean repair(Repair repair) {
    try {
      // the one place a failed instance is replaced: providers keep it (FAILED) until asked
      ctx.provider().replace(ctx.fleet(), List.of(repair.instanceId()));
      ctx.metrics().repaired(ctx.fleet(), repair.cause().label());
      ctx.listener().repaired(ctx.fleet(), repair);
      return true;
    } catch (RuntimeException e) {
      log.warn("fleet {}: replacing {} failed: {}", ctx.fleet(), repair.instanceId(), e.getMessage());
      ctx.listener().repairFailed(ctx.fleet(), repair, e.getMessage());
      return false;
    }
  }
}
