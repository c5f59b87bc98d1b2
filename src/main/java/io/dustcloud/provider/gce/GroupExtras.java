package io.dustcloud.provider.gce;

import com.google.cloud.compute.v1.InstanceGroupManager;
import com.google.cloud.compute.v1.InstanceGroupManagerAutoHealingPolicy;
import com.google.cloud.compute.v1.InstanceGroupManagerInstanceLifecyclePolicy;
import com.google.cloud.compute.v1.InstanceGroupManagerUpdatePolicy;
import com.google.cloud.compute.v1.NamedPort;

/**
 * What a fleet's group holds besides its versions and size: its named port, its autohealing
 * policy (the fleet's health check, with the startup deadline as initial delay), what it does
 * on failure, and its update policy. Desired and observed groups are reduced to this value and
 * compared; a difference is one patch.
 *
 * <p>Failure handling, so that GCE and the operator never fight: a VM that stopped (a
 * unikernel that exited) is left to the operator ({@code defaultActionOnFailure: DO_NOTHING}),
 * whose crash-loop backoff decides when to recreate it; a VM failing its health check is
 * repaired by GCE ({@code onFailedHealthCheck: REPAIR}), the backstop while the operator is
 * down. GCE repairs only instances in no other action, and the operator does not replace an
 * instance GCE is recreating.
 *
 * @param healthCheck the autohealing check's name; null for none
 * @param redistribution {@code NONE} for regional groups (GCE must not move instances between
 *     zones behind the operator's surge limits); null for zonal ones, which have no such field
 */
public record GroupExtras(String namedPort, int port, String healthCheck, int initialDelaySec, String onFailure,
    String onFailedHealthCheck, String redistribution) {
  static final String DO_NOTHING = "DO_NOTHING";
  static final String REPAIR = "REPAIR";

  public static GroupExtras desired(TrafficModel model, GceLocation at) {
    return new GroupExtras(model.namedPort().getName(), model.namedPort().getPort(),
        GceNames.lastSegment(model.autoHealing().getHealthCheck()), model.autoHealing().getInitialDelaySec(),
        DO_NOTHING, REPAIR, at.regional() ? "NONE" : null);
  }

  public static GroupExtras observed(InstanceGroupManager g) {
    NamedPort port = g.getNamedPortsCount() == 1 ? g.getNamedPorts(0) : NamedPort.getDefaultInstance();
    InstanceGroupManagerAutoHealingPolicy heal = g.getAutoHealingPoliciesCount() == 1 ? g.getAutoHealingPolicies(0)
        : InstanceGroupManagerAutoHealingPolicy.getDefaultInstance();
    InstanceGroupManagerInstanceLifecyclePolicy life = g.getInstanceLifecyclePolicy();
    InstanceGroupManagerUpdatePolicy update = g.getUpdatePolicy();
    return new GroupExtras(g.getNamedPortsCount() == 1 ? port.getName() : null, port.getPort(),
        heal.hasHealthCheck() ? GceNames.lastSegment(heal.getHealthCheck()) : null, heal.getInitialDelaySec(),
        life.getDefaultActionOnFailure(), life.getOnFailedHealthCheck(),
        update.hasInstanceRedistributionType() ? update.getInstanceRedistributionType() : null);
  }

  /** Sets these fields on a group being inserted or patched ({@code project} and {@code region} make the check's URL). */
  public InstanceGroupManager.Builder applyTo(InstanceGroupManager.Builder b, String project, String region) {
    b.clearNamedPorts().addNamedPorts(NamedPort.newBuilder().setName(namedPort).setPort(port));
    b.clearAutoHealingPolicies();
    if (healthCheck != null) {
      b.addAutoHealingPolicies(InstanceGroupManagerAutoHealingPolicy.newBuilder()
          .setHealthCheck("projects/" + project + "/regions/" + region + "/healthChecks/" + healthCheck)
          .setInitialDelaySec(initialDelaySec));
    }
    b.setInstanceLifecyclePolicy(InstanceGroupManagerInstanceLifecyclePolicy.newBuilder()
        .setDefaultActionOnFailure(onFailure).setOnFailedHealthCheck(onFailedHealthCheck));
    InstanceGroupManagerUpdatePolicy.Builder update = UpdatePolicies.ours().toBuilder();
    if (redistribution != null) {
      update.setInstanceRedistributionType(redistribution);
    }
    b.setUpdatePolicy(update);
    return b;
  }
}
