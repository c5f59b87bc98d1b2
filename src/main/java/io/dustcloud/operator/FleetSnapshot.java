package io.dustcloud.operator;

import io.dustcloud.core.autoscale.ScaleDecision;
import io.dustcloud.supervisor.FleetHealth;

/** TEMPORARY until the supervisor branch lands: the supervisor's FleetSnapshot. */
record FleetSnapshot(FleetHealth health, ScaleDecision decision, int desiredTotal) {}
