package io.dustcloud.core.health;

import java.util.List;

/**
 * The planner's decision for one tick.
 *
 * @param repairs instances to replace now
 * @param unhealthy every unhealthy instance with why, repaired now or not
 * @param suspended why repairs are suspended (the fleet needs a person), or null
 * @param waiting why some unhealthy instances wait (budget, backoff), or null
 */
public record RepairPlan(List<Repair> repairs, List<Repair> unhealthy, String suspended, String waiting) {
  public RepairPlan {
    repairs = List.copyOf(repairs);
    unhealthy = List.copyOf(unhealthy);
  }
}
