package io.dustcloud.operator;

import io.dustcloud.api.v1alpha1.Condition;
import io.dustcloud.api.v1alpha1.UnikernelStatus;
import io.dustcloud.core.Reason;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The Events a status change is worth, from the previous and the next status alone: a scale,
 * a rollout started, completed or rolled back, a stall (or a new stall message), the fleet
 * becoming Ready. Pure, so each milestone is announced once however often the fleet is
 * reconciled. (Events about actions — a revision created, an artifact built, instances started
 * or stopped — are recorded by the step that acted.)
 */
final class StatusEvents {
  private StatusEvents() {}

  /**
   * One Event.
   *
   * @param rollout the rollout outcome to count in metrics ({@code started}, {@code promoted},
   *     {@code rolled_back}), or null
   */
  record StatusEvent(boolean warning, Reason reason, String message, String rollout) {}

  static List<StatusEvent> diff(UnikernelStatus before, UnikernelStatus after) {
    List<StatusEvent> events = new ArrayList<>();
    scaled(before, after, events);
    Condition stalled = find(after, Conditions.STALLED);
    Condition wasStalled = find(before, Conditions.STALLED);
    // a rollback stalls the fleet, and is announced once as RolledBack by rollout() below
    boolean announcedAsRollback = stalled != null && Reason.ROLLED_BACK.value().equals(stalled.reason);
    if (isTrue(stalled) && !announcedAsRollback
        && (!isTrue(wasStalled) || !Objects.equals(wasStalled.message, stalled.message))) {
      events.add(new StatusEvent(true, Reason.read(stalled.reason), stalled.message, null));
    }
    crashLoop(before, after, events);
    Condition ready = find(after, Conditions.READY);
    if (isTrue(ready) && !isTrue(find(before, Conditions.READY))) {
      events.add(new StatusEvent(false, Reason.read(ready.reason), ready.message, null));
    }
    rollout(before, after, events);
    return events;
  }

  /**
   * CrashLoopBackOff when the backoff starts or grows: its message changes only on a restart
   * (it names the next attempt's absolute time), so one Event per restart, never per reconcile.
   */
  private static void crashLoop(UnikernelStatus before, UnikernelStatus after, List<StatusEvent> events) {
    Condition degraded = find(after, Conditions.DEGRADED);
    if (degraded == null || !isTrue(degraded) || !EVENTFUL.contains(degraded.reason)) {
      return;
    }
    Condition was = find(before, Conditions.DEGRADED);
    if (was == null || !isTrue(was) || !Objects.equals(was.reason, degraded.reason)
        || !Objects.equals(was.message, degraded.message)) {
      events.add(new StatusEvent(true, Reason.read(degraded.reason), degraded.message, null));
    }
  }

  /**
   * Degraded reasons reported as a Warning Event when they start or their message changes: a
   * crash loop (once per restart), and instances the backend cannot create (quota, stockout,
   * permission: once per distinct GCE message).
   */
  private static final java.util.Set<String> EVENTFUL = java.util.Set.of(Reason.CRASH_LOOP_BACK_OFF.value(),
      Reason.QUOTA_EXCEEDED.value(), Reason.ZONE_RESOURCES_EXHAUSTED.value(), Reason.PERMISSION_DENIED.value(),
      Reason.INSTANCE_CREATION_FAILED.value());

  private static void scaled(UnikernelStatus before, UnikernelStatus after, List<StatusEvent> events) {
    Integer was = before == null ? null : before.desiredReplicas;
    Integer now = after.desiredReplicas;
    if (was != null && now != null && !was.equals(now)) {
      events.add(new StatusEvent(false, now > was ? Reason.SCALED_UP : Reason.SCALED_DOWN,
          "desired " + was + " -> " + now + ": " + after.lastScaleReason, null));
    }
  }

  private static void rollout(UnikernelStatus before, UnikernelStatus after, List<StatusEvent> events) {
    String failedBefore = before == null ? null : before.failedRevision;
    if (after.failedRevision != null && !after.failedRevision.equals(failedBefore)) {
      Condition rolledBack = find(after, Conditions.ROLLED_BACK);
      events.add(new StatusEvent(true, Reason.ROLLED_BACK, rolledBack == null
          ? "rolled back from " + after.failedRevision + " to " + after.updateRevision : rolledBack.message, "rolled_back"));
      return;
    }
    String updateBefore = before == null ? null : before.updateRevision;
    if (updateBefore == null || after.updateRevision == null) {
      return;
    }
    if (!updateBefore.equals(after.updateRevision)) {
      events.add(new StatusEvent(false, Reason.ROLLOUT_STARTED,
          "rolling from " + updateBefore + " to " + after.updateRevision, "started"));
    }
    boolean wasPromoted = before.promotedTime != null && after.updateRevision.equals(updateBefore);
    if (after.promotedTime != null && !wasPromoted) {
      events.add(new StatusEvent(false, Reason.ROLLOUT_COMPLETE,
          "revision " + after.updateRevision + " serves every instance", "promoted"));
    }
  }

  private static Condition find(UnikernelStatus s, String type) {
    return s == null ? null : StatusConditions.find(s.conditions, type);
  }

  private static boolean isTrue(Condition c) {
    return c != null && Conditions.TRUE.equals(c.status);
  }
}
