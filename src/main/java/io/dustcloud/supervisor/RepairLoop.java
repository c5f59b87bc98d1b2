package io.dustcloud.supervisor;

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
import java.util.List;
import java.util.Map;
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

  /** One run's result: the plan, the readiness left once replaced instances are gone, repairs made so far. */
  record Outcome(RepairPlan plan, Map<String, Readiness> readiness, long totalRepairs) {}

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
    List<String> replaced = new ArrayList<>();
    for (Repair repair : plan.repairs()) {
      if (repair(repair)) {
        repairedPerRevision.merge(repair.revision(), 1, Integer::sum);
        replaced.add(repair.instanceId());
      }
    }
    if (plan.repairs().isEmpty()) {
      // the common run: nothing replaced, nothing to book (later recoveries come with the next view)
      return new Outcome(plan, view.readiness(), ledger.totalRepairs());
    }
    probes.drainRecovered().forEach(revision -> ledger = ledger.recovered(revision));
    repairedPerRevision.forEach((revision, count) -> ledger = ledger.repaired(revision, now, count));
    probes.forget(replaced);
    Map<String, Readiness> readiness = new HashMap<>(view.readiness());
    readiness.keySet().removeAll(replaced);
    return new Outcome(plan, readiness, ledger.totalRepairs());
  }

  /** Replaces one instance; true when it was replaced. */
  private boolean repair(Repair repair) {
    try {
      if (!repair.cause().replacedByProvider()) {
        ctx.provider().replace(ctx.fleet(), List.of(repair.instanceId()));
      }
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
