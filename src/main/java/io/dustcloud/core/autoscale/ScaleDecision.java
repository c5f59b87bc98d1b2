package io.dustcloud.core.autoscale;

import java.time.Instant;

/**
 * One tick's decision: the total the fleet should have and why.
 *
 * @param desired instances the fleet should have now
 * @param previous what it was asked to have before this decision
 * @param recommended what the metric alone asked for, before delay, rate and min/max limits
 * @param reason one line a person can read: what was observed and which rule decided
 * @param cap whether min or max overrode the metric
 * @param panic whether target tracking is in panic mode
 * @param observed the mean per-instance metric this tick; NaN without data
 * @param at when it was decided
 */
public record ScaleDecision(
    int desired, int previous, int recommended, String reason, Cap cap, boolean panic, double observed, Instant at) {

  public enum Cap {
    NONE,
    MIN,
    MAX
  }

  public boolean changed() {
    return desired != previous;
  }

  public boolean capped() {
    return cap != Cap.NONE;
  }
}
