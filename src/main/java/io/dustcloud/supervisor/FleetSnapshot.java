package io.dustcloud.supervisor;

import io.dustcloud.core.autoscale.ScaleDecision;

/**
 * What a fleet's supervisor knows now. The supervisor (its autoscaler) is the one owner of the
 * fleet's total: callers read {@code desiredTotal} and never hand it back.
 *
 * @param health readiness, unhealthy instances and repairs
 * @param decision the autoscaler's latest metric decision; null before the first one or when the
 *     fleet is not autoscaled. Its {@code cap} says whether the metric asked for less or more
 *     than the limits; a change of the limits alone makes no decision.
 * @param desiredTotal the instances the fleet should have: always within the current limits of
 *     the autoscale spec; the initial total for a fleet of fixed size
 */
public record FleetSnapshot(FleetHealth health, ScaleDecision decision, int desiredTotal) {
  /** A fleet no supervisor runs: nothing known, nothing desired. */
  public static final FleetSnapshot UNSUPERVISED = new FleetSnapshot(FleetHealth.EMPTY, null, 0);

  /**
   * Whether the total is not the latest decision's: the limits changed since it was made and
   * moved the total into them (the metric's next decision starts from there).
   */
  public boolean clampedByLimits() {
    return decision != null && decision.desired() != desiredTotal;
  }
}
