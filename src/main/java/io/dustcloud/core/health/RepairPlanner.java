package io.dustcloud.core.health;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Decides which unhealthy instances to replace. Bounded on purpose: a probe pointed at the
 * wrong path, or a dependency that is down, makes every instance fail at once, and replacing
 * them all in a loop would only turn a bad probe into an outage. So:
 *
 * <ul>
 *   <li>an instance is unhealthy when it was ready and then failed {@code failureThreshold}
 *       probes in a row, when it has not passed a probe within the startup deadline, or when
 *       it exited;
 *   <li>an instance that failed before it was ever ready (exited, or missed its startup
 *       deadline) is in a crash loop: it is replaced by {@link CrashLoopBackoff}'s schedule, per
 *       revision, for as long as it keeps failing — never suspended, since a person may fix
 *       what it depends on and the retries are cheap once they are minutes apart;
 *   <li>when more than {@code maxUnhealthyFraction} of the fleet (and more than one instance)
 *       was ready and is unhealthy now, repairs are suspended (the breaker);
 *   <li>when a revision's ready instances have been repaired {@code repairsWithoutRecovery}
 *       times in a row without any instance of it becoming ready, repairs are suspended;
 *   <li>at most {@code maxConcurrentRepairs} replacements boot at a time;
 *   <li>a revision whose last repair did not help waits an exponentially growing delay.
 * </ul>
 */
public final class RepairPlanner {
  private RepairPlanner() {}

  public static RepairPlan plan(List<InstanceHealth> instances, RepairLedger ledger, HealthPolicy policy, Instant now) {
    List<Repair> unhealthy = new ArrayList<>();
    int booting = 0;
    for (InstanceHealth i : instances) {
      Repair why = unhealthy(i, policy, now);
      if (why != null) {
        unhealthy.add(why);
      } else if (!i.readiness().ready()) {
        booting++;
      }
    }
    if (unhealthy.isEmpty()) {
      return new RepairPlan(List.of(), List.of(), null, null);
    }
    // the breaker is for instances that served and then failed: a crash loop has its own backoff
    List<Repair> wasReady = unhealthy.stream().filter(r -> !r.cause().beforeReady()).toList();
    int total = instances.size();
    int tolerated = Math.max(1, (int) Math.floor(total * policy.maxUnhealthyFraction()));
    if (wasReady.size() > tolerated) {
      return new RepairPlan(List.of(), unhealthy, String.format(
          "%d of %d instances are unhealthy (more than %d%% of the fleet); repairs are suspended because"
              + " replacing them would not help — check the health check and the instances' dependencies."
              + " First failure: %s: %s",
          wasReady.size(), total, Math.round(policy.maxUnhealthyFraction() * 100),
          wasReady.get(0).instanceId(), wasReady.get(0).reason()), null);
    }
    for (Repair r : wasReady) {
      RepairLedger.Entry e = ledger.entry(r.revision());
      if (e.repairsWithoutRecovery() >= policy.repairsWithoutRecovery()) {
        return new RepairPlan(List.of(), unhealthy, String.format(
            "revision %s was repaired %d times in a row and no replacement became ready; repairs are"
                + " suspended. Last failure: %s: %s",
            r.revision(), e.repairsWithoutRecovery(), r.instanceId(), r.reason()), null);
      }
    }
    int budget = policy.maxConcurrentRepairs() - booting;
    List<Repair> now1 = new ArrayList<>();
    // (ledger entries are per round: see RepairLedger)
    String waiting = null;
    // longest-unhealthy first: exited, then by age
    List<Repair> ordered = new ArrayList<>(unhealthy);
    ordered.sort(Comparator.comparing((Repair r) -> r.cause() != RepairCause.EXITED
        && r.cause() != RepairCause.EXITED_BEFORE_READY));
    for (Repair r : ordered) {
      if (budget <= 0) {
        waiting = "at most " + policy.maxConcurrentRepairs() + " repairs at a time; " + booting + " replacements still booting";
        break;
      }
      // the backoff spaces rounds of repairs; within a round every budgeted instance goes
      boolean crash = r.cause().beforeReady();
      Instant allowed = crash ? CrashLoopBackoff.nextAttempt(ledger.crashLoop(r.revision()))
          : ledger.nextRepairAllowed(r.revision(), policy);
      if (now.isBefore(allowed)) {
        waiting = "revision " + r.revision() + " backs off until " + allowed
            + (crash ? " (crash loop)" : " after repairs that did not recover it");
        continue;
      }
      now1.add(r);
      budget--;
    }
    return new RepairPlan(now1, unhealthy, null, waiting);
  }

  /** Why {@code i} is unhealthy, or null when it is healthy or still within its startup deadline. */
  static Repair unhealthy(InstanceHealth i, HealthPolicy policy, Instant now) {
    Readiness r = i.readiness();
    String last = r.last() == null ? "" : ", last: " + r.last().detail();
    if (i.exited()) {
      return new Repair(i.id(), i.revision(), r.everReady() ? RepairCause.EXITED : RepairCause.EXITED_BEFORE_READY, "");
    }
    if (r.everReady() && !r.ready()) {
      return new Repair(i.id(), i.revision(), RepairCause.STOPPED_ANSWERING,
          r.consecutiveFailures() + " probes failed in a row" + last);
    }
    if (!r.everReady() && Duration.between(i.createdAt(), now).compareTo(policy.startupDeadline()) > 0) {
      return new Repair(i.id(), i.revision(), RepairCause.STARTUP_DEADLINE_MISSED,
          "of " + policy.startupDeadline().toSeconds() + "s" + last);
    }
    return null;
  }
}
