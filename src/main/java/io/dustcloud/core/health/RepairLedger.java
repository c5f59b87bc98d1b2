package io.dustcloud.core.health;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * Repair history per revision: how many rounds of repairs in a row produced no ready
 * instance, and when the last one was. A round is every repair of one revision in one tick:
 * five instances killed at once are one incident, repaired together, not five. Instances get new ids when replaced, so history is kept per revision (the
 * lineage the replacements share), not per instance id. Immutable.
 */
public record RepairLedger(Map<String, Entry> revisions, long totalRepairs) {
  public static final RepairLedger EMPTY = new RepairLedger(Map.of(), 0);

  public record Entry(int repairsWithoutRecovery, Instant lastRepairAt) {}

  public RepairLedger {
    revisions = Map.copyOf(revisions);
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
    return new RepairLedger(next, totalRepairs + instances);
  }

  /** An instance of {@code revision} became ready: its repairs worked. */
  public RepairLedger recovered(String revision) {
    if (entry(revision).repairsWithoutRecovery() == 0) {
      return this;
    }
    Map<String, Entry> next = new HashMap<>(revisions);
    next.put(revision, new Entry(0, entry(revision).lastRepairAt()));
    return new RepairLedger(next, totalRepairs);
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
