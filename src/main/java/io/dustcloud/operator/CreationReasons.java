package io.dustcloud.operator;

import io.dustcloud.core.Reason;

/** The condition reason for a backend's instance-creation error code (GCE's {@code lastAttempt.errors[].code}). Pure. */
final class CreationReasons {
  private CreationReasons() {}

  static Reason of(String code) {
    String c = code == null ? "" : code;
    if (c.contains("QUOTA")) {
      return Reason.QUOTA_EXCEEDED; // QUOTA_EXCEEDED, and regional/global variants
    }
    if (c.startsWith("ZONE_RESOURCE_POOL_EXHAUSTED") || c.equals("RESOURCE_POOL_EXHAUSTED")
        || c.equals("STOCKOUT")) {
      return Reason.ZONE_RESOURCES_EXHAUSTED;
    }
    if (c.contains("PERMISSION") || c.equals("FORBIDDEN") || c.equals("ACCESS_DENIED")) {
      return Reason.PERMISSION_DENIED;
    }
    return Reason.INSTANCE_CREATION_FAILED;
  }
}
