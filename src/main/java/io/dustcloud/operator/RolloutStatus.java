package io.dustcloud.operator;

import io.dustcloud.core.Reason;
import io.dustcloud.api.v1alpha1.RolloutSpec;
import io.dustcloud.api.v1alpha1.UnikernelStatus;
import io.dustcloud.core.rollout.RolloutPolicy;
import io.dustcloud.core.rollout.RolloutState;
import java.time.Duration;
import java.time.Instant;

/**
 * Reads the rollout's state back from a Unikernel's status ({@link FleetStatus} writes it), and
 * maps its spec to a policy. The failure's reason is the RolledBack condition's message as
 * written when the rollback happened; it is carried, never composed again.
 */
final class RolloutStatus {
  private RolloutStatus() {}

  static RolloutState state(UnikernelStatus s) {
    if (s == null) {
      return RolloutState.NONE;
    }
    String reason = null;
    var rolledBack = StatusConditions.find(s.conditions, Conditions.ROLLED_BACK);
    if (rolledBack != null && Conditions.TRUE.equals(rolledBack.status)) {
      reason = rolledBack.message;
    }
    return new RolloutState(s.currentRevision, s.updateRevision, s.lastGoodRevision, s.failedRevision, reason,
        s.previousRevision, instant(s.rolloutStartTime), instant(s.promotedTime));
  }

  /**
   * The policy for a fleet on {@code provider}: keepPreviousSeconds only where the provider's
   * endpoint can keep the previous revision's instances out of traffic (on GCE they would go on
   * serving beside the promoted revision, so a promotion is a real switch and a rollback is cold).
   */
  static RolloutPolicy policy(RolloutSpec r, io.dustcloud.provider.FleetProvider provider) {
    RolloutPolicy p = policy(r);
    return provider.routesOnlyToNamedInstances() ? p : p.withoutKeepPrevious();
  }

  static RolloutPolicy policy(RolloutSpec r) {
    RolloutPolicy d = RolloutPolicy.DEFAULT;
    return new RolloutPolicy(
        text(r.maxSurge, d.maxSurge()),
        text(r.maxUnavailable, d.maxUnavailable()),
        Duration.ofSeconds(r.progressDeadlineSeconds),
        Duration.ofSeconds(r.verificationSeconds),
        Duration.ofSeconds(r.keepPreviousSeconds),
        r.autoRollback);
  }

  private static String text(io.fabric8.kubernetes.api.model.IntOrString v, String fallback) {
    return v == null ? fallback : v.getIntVal() != null ? v.getIntVal().toString() : v.getStrVal();
  }

  private static Instant instant(String s) {
    return s == null || s.isBlank() ? null : Instant.parse(s);
  }
}
