package io.dustcloud.supervisor;

import io.dustcloud.core.health.Repair;
import io.dustcloud.provider.FleetId;

/** What a supervisor tells the operator. */
public interface FleetListener {
  /** Readiness, membership, unhealthy instances or the repair state changed: reconcile. */
  void changed(FleetId fleet);

  /** An instance was replaced. */
  default void repaired(FleetId fleet, Repair repair) {}

  /** A replacement was asked for and failed. */
  default void repairFailed(FleetId fleet, Repair repair, String error) {}
}
