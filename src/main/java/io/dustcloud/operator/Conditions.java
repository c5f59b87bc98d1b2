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

  /** Reasons. Also used as Event reasons. */
  public static final class Reason {
    private Reason() {}

    public static final String FLEET_READY = "FleetReady";
    public static final String INSTANCES_STARTING = "InstancesStarting";
    public static final String ROLLING_OUT = "RollingOut";
    public static final String ARTIFACT_PENDING = "ArtifactPending";
    public static final String BUILDING = "Building";
    public static final String BUILD_SUCCEEDED = "BuildSucceeded";
    public static final String BUILD_FAILED = "BuildFailed";
    public static final String BUILD_TIMED_OUT = "BuildTimedOut";
    /** Event: a build Job was created; the message names it. */
    public static final String BUILD_STARTED = "BuildStarted";
    public static final String BUILD_SOURCE_NOT_FOUND = "BuildSourceNotFound";
    public static final String ARTIFACT_RESOLVED = "ArtifactResolved";
    public static final String ARTIFACT_NOT_FOUND = "ArtifactNotFound";
    public static final String ARTIFACT_DIGEST_MISMATCH = "ArtifactDigestMismatch";
    public static final String UNSUPPORTED_ARTIFACT_URL = "UnsupportedArtifactURL";
    public static final String INVALID_SPEC = "InvalidSpec";
    public static final String PROVIDER_NOT_CONFIGURED = "ProviderNotConfigured";
    public static final String PROVIDER_UNSUPPORTED = "ProviderUnsupported";
    public static final String PROVIDER_ERROR = "ProviderError";
    public static final String REVISION_CREATED = "RevisionCreated";
    public static final String SCALED = "Scaled";
    public static final String SCALED_UP = "ScaledUp";
    public static final String SCALED_DOWN = "ScaledDown";
    public static final String TOO_FEW_REPLICAS = "TooFewReplicas";
    public static final String TOO_MANY_REPLICAS = "TooManyReplicas";
    public static final String DESIRED_WITHIN_RANGE = "DesiredWithinRange";
    public static final String INSTANCES_AVAILABLE = "InstancesAvailable";
    public static final String NO_INSTANCES_READY = "NoInstancesReady";
    public static final String RECONCILED = "Reconciled";
    public static final String RECONCILE_ERROR = "ReconcileError";
    public static final String INSTANCES_HEALTHY = "InstancesHealthy";
    public static final String INSTANCES_UNHEALTHY = "InstancesUnhealthy";
    public static final String REPAIRS_SUSPENDED = "RepairsSuspended";
    public static final String INSTANCE_REPAIRED = "InstanceRepaired";
    public static final String REPAIR_FAILED = "RepairFailed";
    public static final String REVISION_NOT_FOUND = "RevisionNotFound";
    public static final String ROLLED_BACK = "RolledBack";
    public static final String NOT_ROLLED_BACK = "NotRolledBack";
    public static final String ROLLOUT_STARTED = "RolloutStarted";
    public static final String ROLLOUT_COMPLETE = "RolloutComplete";
    public static final String FLEET_DELETED = "FleetDeleted";
    public static final String FLEET_ORPHANED = "FleetOrphaned";
  }
}
