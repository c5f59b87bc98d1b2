package io.dustcloud.core;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The one vocabulary of reasons: condition reasons, Event reasons, build and provider failure
 * reasons. Operator, builds, supervisor and providers all speak it, so a reason is declared once
 * and docs/troubleshooting.md can list every one ({@link #fixed()}). A reason is never parsed
 * back out of a message.
 *
 * <p>The fixed reasons are constants. One family is open: a provider may report its backend's own
 * error code as a reason ({@link #backend}), e.g. GCE's {@code rateLimitExceeded} as
 * {@code GceRateLimitExceeded}; those are documented by the provider (docs/gce.md).
 */
public final class Reason {
  private static final Pattern CAMEL = Pattern.compile("[A-Z][A-Za-z0-9]+");
  private static final Map<String, Reason> FIXED = new LinkedHashMap<>();

  // fleet progress
  public static final Reason FLEET_READY = fixed("FleetReady");
  public static final Reason INSTANCES_STARTING = fixed("InstancesStarting");
  public static final Reason ROLLING_OUT = fixed("RollingOut");
  public static final Reason RECONCILED = fixed("Reconciled");
  public static final Reason RECONCILE_ERROR = fixed("ReconcileError");
  public static final Reason INSTANCES_AVAILABLE = fixed("InstancesAvailable");
  public static final Reason NO_INSTANCES_READY = fixed("NoInstancesReady");
  // artifacts and builds
  public static final Reason ARTIFACT_PENDING = fixed("ArtifactPending");
  public static final Reason BUILDING = fixed("Building");
  /** Event: a build Job was created; the message names it. */
  public static final Reason BUILD_STARTED = fixed("BuildStarted");
  public static final Reason BUILD_SUCCEEDED = fixed("BuildSucceeded");
  public static final Reason BUILD_FAILED = fixed("BuildFailed");
  public static final Reason BUILD_CANCELLED = fixed("BuildCancelled");
  public static final Reason BUILD_TIMED_OUT = fixed("BuildTimedOut");
  public static final Reason BUILD_UNSUPPORTED = fixed("BuildUnsupported");
  public static final Reason IN_CLUSTER_BUILD_UNAVAILABLE = fixed("InClusterBuildUnavailable");
  public static final Reason BUILD_SOURCE_NOT_FOUND = fixed("BuildSourceNotFound");
  public static final Reason ARTIFACT_RESOLVED = fixed("ArtifactResolved");
  public static final Reason ARTIFACT_NOT_FOUND = fixed("ArtifactNotFound");
  public static final Reason ARTIFACT_DIGEST_MISMATCH = fixed("ArtifactDigestMismatch");
  public static final Reason UNSUPPORTED_ARTIFACT_URL = fixed("UnsupportedArtifactURL");
  /** A local artifact or build source outside the directories the operator trusts. */
  public static final Reason UNTRUSTED_PATH = fixed("UntrustedPath");
  // spec and configuration
  public static final Reason INVALID_SPEC = fixed("InvalidSpec");
  /** A value of the wrong type in an object as the API server handed it (see LenientReader). */
  public static final Reason INVALID_OBJECT = fixed("InvalidObject");
  public static final Reason PROVIDER_NOT_CONFIGURED = fixed("ProviderNotConfigured");
  public static final Reason PROVIDER_UNSUPPORTED = fixed("ProviderUnsupported");
  public static final Reason PROVIDER_ERROR = fixed("ProviderError");
  // revisions and rollouts
  public static final Reason REVISION_CREATED = fixed("RevisionCreated");
  public static final Reason REVISION_NOT_FOUND = fixed("RevisionNotFound");
  public static final Reason REVISION_CONFLICT = fixed("RevisionConflict");
  public static final Reason UNTRUSTED_STATUS = fixed("UntrustedStatus");
  public static final Reason ROLLOUT_STARTED = fixed("RolloutStarted");
  public static final Reason ROLLOUT_COMPLETE = fixed("RolloutComplete");
  public static final Reason ROLLED_BACK = fixed("RolledBack");
  public static final Reason NOT_ROLLED_BACK = fixed("NotRolledBack");
  public static final Reason PROGRESS_DEADLINE_EXCEEDED = fixed("ProgressDeadlineExceeded");
  // scaling
  public static final Reason SCALED = fixed("Scaled");
  public static final Reason SCALED_UP = fixed("ScaledUp");
  public static final Reason SCALED_DOWN = fixed("ScaledDown");
  public static final Reason TOO_FEW_REPLICAS = fixed("TooFewReplicas");
  public static final Reason TOO_MANY_REPLICAS = fixed("TooManyReplicas");
  public static final Reason DESIRED_WITHIN_RANGE = fixed("DesiredWithinRange");
  // health
  public static final Reason INSTANCES_HEALTHY = fixed("InstancesHealthy");
  public static final Reason INSTANCES_UNHEALTHY = fixed("InstancesUnhealthy");
  public static final Reason REPAIRS_SUSPENDED = fixed("RepairsSuspended");
  public static final Reason CRASH_LOOP_BACK_OFF = fixed("CrashLoopBackOff");
  public static final Reason INSTANCE_REPAIRED = fixed("InstanceRepaired");
  public static final Reason REPAIR_FAILED = fixed("RepairFailed");
  // deletion
  public static final Reason FLEET_DELETED = fixed("FleetDeleted");
  public static final Reason FLEET_ORPHANED = fixed("FleetOrphaned");
  // providers (docs/troubleshooting.md, "Provider reasons")
  public static final Reason INVALID_GCE_SETTINGS = fixed("InvalidGceSettings");
  public static final Reason INVALID_LOCAL_SETTINGS = fixed("InvalidLocalSettings");
  public static final Reason GCE_FLEET_NOT_LOCATED = fixed("GceFleetNotLocated");
  public static final Reason GCE_GROUP_VANISHED = fixed("GceGroupVanished");
  public static final Reason GCE_TEMPLATE_MISSING = fixed("GceTemplateMissing");
  public static final Reason IMAGE_IMPORT_FAILED = fixed("ImageImportFailed");
  public static final Reason QUOTA_EXCEEDED = fixed("QuotaExceeded");
  public static final Reason ZONE_RESOURCES_EXHAUSTED = fixed("ZoneResourcesExhausted");
  public static final Reason PERMISSION_DENIED = fixed("PermissionDenied");
  public static final Reason INSTANCE_CREATION_FAILED = fixed("InstanceCreationFailed");
  public static final Reason IMAGE_IMPORTING = fixed("ImageImporting");
  public static final Reason INTERRUPTED = fixed("Interrupted");
  public static final Reason START_FAILED = fixed("StartFailed");
  public static final Reason STATE_UNREADABLE = fixed("StateUnreadable");
  public static final Reason UNSUPPORTED_IMAGE = fixed("UnsupportedImage");
  /** A Solo5 artifact whose manifest (or ELF file) does not fit what the local solo5 runtime attaches. */
  public static final Reason SOLO5_MANIFEST_MISMATCH = fixed("Solo5ManifestMismatch");
  public static final Reason UNKNOWN_REVISION = fixed("UnknownRevision");
  public static final Reason NO_FREE_PORT = fixed("NoFreePort");
  public static final Reason STATE_WRITE_FAILED = fixed("StateWriteFailed");
  public static final Reason ENDPOINT_UNAVAILABLE = fixed("EndpointUnavailable");

  private final String value;

  private Reason(String value) {
    if (!CAMEL.matcher(value).matches()) {
      throw new IllegalArgumentException("a reason is CamelCase: " + value);
    }
    this.value = value;
  }

  private static Reason fixed(String value) {
    Reason r = new Reason(value);
    if (FIXED.putIfAbsent(value, r) != null) {
      throw new IllegalStateException("reason declared twice: " + value);
    }
    return r;
  }

  /**
   * A backend's own error code as a reason: {@code prefix} names the backend ({@code Gce}),
   * {@code code} is its code in any case ({@code rateLimitExceeded}, {@code RESOURCE_EXHAUSTED}),
   * turned into CamelCase ({@code GceRateLimitExceeded}, {@code GceResourceExhausted}).
   */
  public static Reason backend(String prefix, String code) {
    String r = code == null || code.isEmpty() ? "Error" : code;
    if (r.equals(r.toUpperCase())) {
      StringBuilder b = new StringBuilder();
      for (String part : r.toLowerCase().split("_")) {
        b.append(part.isEmpty() ? "" : Character.toUpperCase(part.charAt(0)) + part.substring(1));
      }
      r = b.toString();
    }
    r = r.replaceAll("[^A-Za-z0-9]", "");
    return new Reason(prefix + (r.isEmpty() ? "Error" : Character.toUpperCase(r.charAt(0)) + r.substring(1)));
  }

  /**
   * A reason read back from a condition this operator wrote (a fixed one, or one of the
   * {@link #backend} family); a spelling that is not CamelCase is refused.
   */
  public static Reason read(String value) {
    Reason fixed = FIXED.get(value);
    return fixed != null ? fixed : new Reason(value);
  }

  /** Every fixed reason, in declaration order. */
  public static List<Reason> fixed() {
    return List.copyOf(FIXED.values());
  }

  /** The CamelCase spelling written into conditions and Events. */
  public String value() {
    return value;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Reason r && r.value.equals(value);
  }

  @Override
  public int hashCode() {
    return Objects.hash(value);
  }

  @Override
  public String toString() {
    return value;
  }
}
