package io.dustcloud.core.health;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * Repair history per revision: how many rounds of repairs in a row produced no ready
 * instance, and when the last one was. A round is every repair of one revision in one tick:
 * five instances killed at once are one incident, repaired together, not five. Instances get new ids when replaced, so history is kept per revision (the
 * lineage the replacements share), not per instance id. Instances that fail before they were
 * ever ready are counted apart, in each revision's {@link CrashLoopBackoff.State}: their
 * repairs back off by kubelet's rule instead. Immutable.
 *
 * @param totalRepairs every instance replaced, crash loops included ({@code status.restarts})
 */
public record RepairLedger(Map<String, Entry> revisions, Map<String, CrashLoopBackoff.State> crashLoops,
    long totalRepairs) {
  public static final RepairLedger EMPTY = new RepairLedger(Map.of(), 0);

  public record Entry(int repairsWithoutRecovery, Instant lastRepairAt) {}

  public RepairLedger {
    revisions = Map.copyOf(revisions);
    crashLoops = Map.copyOf(crashLoops);
  }

  public RepairLedger(Map<String, Entry> revisions, long totalRepairs) {
    this(revisions, Map.of(), totalRepairs);
  }

  public CrashLoopBackoff.State crashLoop(String revision) {
    return crashLoops.getOrDefault(revision, CrashLoopBackoff.State.NONE);
  }

  /** One round of {@code instances} crash-loop restarts of {@code revision}; {@code first} names the first. */
  public RepairLedger crashRestarted(Repair first, Instant now, int instances) {
    Map<String, CrashLoopBackoff.State> next = new HashMap<>(crashLoops);
    next.put(first.revision(), CrashLoopBackoff.restarted(crashLoop(first.revision()), now, first.instanceId(),
        first.reason()));
    return new RepairLedger(revisions, next, totalRepairs + instances);
  }

  /**
   * What a run saw: {@code healthy} revisions (some instance ready, none failing before ready)
   * move towards a reset; revisions no instance runs any more are dropped.
   */
  public RepairLedger crashLoopsObserved(java.util.Set<String> present, java.util.Set<String> healthy, Instant now) {
    if (crashLoops.isEmpty()) {
      return this;
    }
    Map<String, CrashLoopBackoff.State> next = new HashMap<>();
    crashLoops.forEach((rev, s) -> {
      if (present.contains(rev)) {
        CrashLoopBackoff.State o = CrashLoopBackoff.observed(s, healthy.contains(rev), now);
        if (o.restarts() > 0) {
          next.put(rev, o);
        }
      }
    });
    return next.equals(crashLoops) ? this : new RepairLedger(revisions, next, totalRepairs);
  }

  public Entry entry(String revision) {
    return revisions.getOrDefault(revision, new Entry(0, null));
  }

  public RepairLedger repaired(String revision, Instant now) {
    return repaired(revision, now, 1);
  }

  /** One round of {@code instances} repairs of {@code revision}. */
  public RepairLedger repaired(String revision, Instant now, int instances) {
    Map<String, Entry> next = new HashMap<>(revisions);
    next.put(revision, new Entry(entry(revision).repairsWithoutRecovery() + 1, now));
    return new RepairLedger(next, crashLoops, totalRepairs + instances);
  }

  /** An instance of {@code revision} became ready: its repairs worked. */
  public RepairLedger recovered(String revision) {
    if (entry(revision).repairsWithoutRecovery() == 0) {
      return this;
    }
    Map<String, Entry> next = new HashMap<>(revisions);
    next.put(revision, new Entry(0, entry(revision).lastRepairAt()));
    return new RepairLedger(next, crashLoops, totalRepairs);
  }

  /** When the next repair of {@code revision} may start. */
  public Instant nextRepairAllowed(String revision, HealthPolicy policy) {
    Entry e = entry(revision);
    if (e.repairsWithoutRecovery() == 0 || e.lastRepairAt() == null) {
      return Instant.MIN;
    }
    long factor = 1L << Math.min(e.repairsWithoutRecovery() - 1, 20);
    Duration delay = policy.backoffBase().multipliedBy(factor);
    if (delay.compareTo(policy.backoffMax()) > 0) {
      delay = policy.backoffMax();
    }
    return e.lastRepairAt().plus(delay);
  }
}
