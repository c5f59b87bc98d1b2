package io.dustcloud.supervisor;

import io.dustcloud.provider.FleetId;

/**
 * What the reconciler asks of the supervisors, per fleet: one spec in, one snapshot out.
 * {@link Supervisors} runs it; the reconcile pipeline's tests drive a fake.
 */
public interface Supervision {
  /** Starts supervising the fleet, or updates its settings (the seeds apply only at the start). */
  void supervise(FleetId fleet, SupervisionSpec spec);

  /** What the fleet's supervisor knows now; {@link FleetSnapshot#UNSUPERVISED} for none. */
  FleetSnapshot snapshot(FleetId fleet);

  /**
   * The provider just started or stopped instances of the fleet: its supervisor should look
   * now rather than at its next beat (a new instance is probed, and joins the rotation, sooner).
   */
  default void instancesChanged(FleetId fleet) {}
}
