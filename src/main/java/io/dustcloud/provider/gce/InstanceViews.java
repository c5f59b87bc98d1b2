package io.dustcloud.provider.gce;

import com.google.cloud.compute.v1.ManagedInstance;
import io.dustcloud.provider.InstanceState;
import java.util.Set;

/** How a managed instance's {@code currentAction} and {@code instanceStatus} map to the SPI's state. */
public final class InstanceViews {
  private static final Set<String> LEAVING = Set.of("DELETING", "ABANDONING");
  private static final Set<String> STOPPING = Set.of("STOPPING", "SUSPENDING");
  private static final Set<String> DOWN = Set.of("TERMINATED", "STOPPED", "SUSPENDED");

  private InstanceViews() {}

  /** Instances being deleted or abandoned are already gone as far as the fleet is concerned. */
  public static boolean leaving(ManagedInstance m) {
    return LEAVING.contains(m.getCurrentAction());
  }

  public static InstanceState state(ManagedInstance m) {
    String action = m.getCurrentAction();
    String status = m.getInstanceStatus();
    if (STOPPING.contains(action) || STOPPING.contains(status)) {
      return InstanceState.STOPPING;
    }
    if (!action.isEmpty() && !action.equals("NONE")) {
      return InstanceState.STARTING; // CREATING, RECREATING, VERIFYING, REFRESHING, RESTARTING, …
    }
    if (DOWN.contains(status)) {
      return InstanceState.FAILED;
    }
    return status.equals("RUNNING") ? InstanceState.RUNNING : InstanceState.STARTING;
  }

  /**
   * GCE tried to create the VM and failed (its last attempt carries errors) and it has not come
   * into existence since: no status yet, still being created.
   */
  public static boolean notCreated(ManagedInstance m) {
    return m.hasLastAttempt() && m.getLastAttempt().getErrors().getErrorsCount() > 0
        && (m.getInstanceStatus().isEmpty() || m.getInstanceStatus().equals("PROVISIONING"))
        && !m.getCurrentAction().equals("NONE") && !m.getCurrentAction().isEmpty();
  }

  /**
   * The state of an instance whose address is not known yet: one that is down stays FAILED
   * (it is replaced whatever its address), any other is still starting.
   */
  public static InstanceState withoutAddress(ManagedInstance m) {
    InstanceState s = state(m);
    return s == InstanceState.FAILED || s == InstanceState.STOPPING ? s : InstanceState.STARTING;
  }

  /** The zone of an instance URL ({@code …/zones/Z/instances/NAME}); regional groups spread over zones. */
  public static String zone(String instanceUrl) {
    int z = instanceUrl.indexOf("/zones/");
    if (z < 0) {
      return "";
    }
    String rest = instanceUrl.substring(z + 7);
    return rest.substring(0, rest.indexOf('/'));
  }
}
