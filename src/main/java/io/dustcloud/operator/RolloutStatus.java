package io.dustcloud.operator;

import io.dustcloud.core.Reason;
import io.dustcloud.api.v1alpha1.RolloutSpec;
import io.dustcloud.api.v1alpha1.UnikernelStatus;
import io.dustcloud.core.rollout.RolloutDecision;
import io.dustcloud.core.rollout.RolloutPolicy;
import io.dustcloud.core.rollout.RolloutState;
import java.time.Duration;
import java.time.Instant;

/** Maps the rollout's state to and from a Unikernel's status, and its spec to a policy. */
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

  /** Records the rollout in status: revisions, times, RolledBack, and Reconciling while rolling. */
  static void record(UnikernelStatus status, RolloutDecision decision, long generation, Instant now) {
    RolloutState s = decision.state();
    status.updateRevision = s.update();
    status.currentRevision = s.current() != null ? s.current() : status.currentRevision;
    status.lastGoodRevision = s.lastGood();
    status.failedRevision = s.failed();
    status.previousRevision = s.previous();
    status.rolloutStartTime = s.rolloutStarted() == null ? null : s.rolloutStarted().toString();
    status.promotedTime = s.promoted() == null ? null : s.promoted().toString();
    var c = status.conditions;
    if (s.failed() != null) {
      StatusConditions.set(c, Conditions.ROLLED_BACK, Conditions.TRUE, Reason.ROLLED_BACK,
          "rolled back from " + s.failed() + " to " + s.update() + ": " + s.failureReason()
              + " (not tried again until the spec changes)", generation, now);
    } else if (StatusConditions.find(c, Conditions.ROLLED_BACK) != null) {
      StatusConditions.set(c, Conditions.ROLLED_BACK, Conditions.FALSE, Reason.NOT_ROLLED_BACK, "",
          generation, now);
    }
    if (decision.rolling()) {
      StatusConditions.set(c, Conditions.RECONCILING, Conditions.TRUE, Reason.ROLLING_OUT,
          decision.step().progress(), generation, now);
    }
  }

  private static String text(io.fabric8.kubernetes.api.model.IntOrString v, String fallback) {
    return v == null ? fallback : v.getIntVal() != null ? v.getIntVal().toString() : v.getStrVal();
  }

  private static Instant instant(String s) {
    return s == null || s.isBlank() ? null : Instant.parse(s);
  }
}
