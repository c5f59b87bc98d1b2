package io.dustcloud.operator;

/** Condition types and reasons: one place, so events, docs and dashboards agree. */
public final class Conditions {
  private Conditions() {}

  // kstatus
  public static final String READY = "Ready";
  public static final String RECONCILING = "Reconciling";
  public static final String STALLED = "Stalled";
  // domain
  public static final String AVAILABLE = "Available";
  public static final String BUILT = "Built";
  /** Some instances are unhealthy; the fleet may still serve (see Available). */
  public static final String DEGRADED = "Degraded";
  /** True after an automatic rollback, until the spec names another revision. */
  public static final String ROLLED_BACK = "RolledBack";
  /** The autoscaler wants more than maxReplicas or fewer than minReplicas. */
  public static final String SCALING_LIMITED = "ScalingLimited";

  public static final String TRUE = "True";
  public static final String FALSE = "False";
  public static final String UNKNOWN = "Unknown";

  // reasons: io.dustcloud.core.Reason
}
