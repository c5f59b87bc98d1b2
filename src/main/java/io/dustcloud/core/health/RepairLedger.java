package io.dustcloud.core.health;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * Repair history per revision: how many repairs in a row produced no ready instance, and when
 * the last one was. Instances get new ids when replaced, so history is kept per revision (the
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
    Map<String, Entry> next = new HashMap<>(revisions);
    next.put(revision, new Entry(entry(revision).repairsWithoutRecovery() + 1, now));
    return new RepairLedger(next, totalRepairs + 1);
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
