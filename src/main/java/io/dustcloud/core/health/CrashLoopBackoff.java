package io.dustcloud.core.health;

import java.time.Duration;
import java.time.Instant;

/**
 * Kubelet's CrashLoopBackOff rule, per revision: instances that exit, or miss their startup
 * deadline, before they ever became ready are restarted with a delay that doubles from
 * {@link #INITIAL} to {@link #MAX} between restarts, and the count starts over once the
 * revision stayed healthy (some instance ready, none failing before ready) for
 * {@link #RESET_AFTER}. Restarts are counted in rounds, as the repair ledger counts them: the
 * instances of one revision replaced in one run are one restart. Pure; the time comes in.
 */
public final class CrashLoopBackoff {
  public static final Duration INITIAL = Duration.ofSeconds(1);
  public static final Duration MAX = Duration.ofMinutes(5);
  public static final Duration RESET_AFTER = Duration.ofMinutes(10);

  private CrashLoopBackoff() {}

  /**
   * One revision's crash loop. Immutable.
   *
   * @param restarts rounds of restarts since the count last started over
   * @param lastRestartAt when the last round ran, or null before the first
   * @param healthySince since when the revision is healthy without a break, or null while it is not
   * @param lastInstance the instance the last round replaced (for people), or null
   * @param lastReason why it was replaced, or null
   */
  public record State(int restarts, Instant lastRestartAt, Instant healthySince, String lastInstance,
      String lastReason) {
    public static final State NONE = new State(0, null, null, null, null);

    /** Whether the revision is backing off now: restarted, and not healthy since. */
    public boolean looping() {
      return restarts > 0 && healthySince == null;
    }
  }

  /** The wait after the {@code restarts}-th restart: 1 s, 2 s, 4 s, … at most 5 minutes; none before the first. */
  public static Duration delay(int restarts) {
    if (restarts <= 0) {
      return Duration.ZERO;
    }
    // 2^9 s already exceeds the cap; the shift stays small so it cannot overflow
    Duration d = INITIAL.multipliedBy(1L << Math.min(restarts - 1, 20));
    return d.compareTo(MAX) > 0 ? MAX : d;
  }

  /** When the next restart may run: at once before the first one. */
  public static Instant nextAttempt(State s) {
    return s.restarts() == 0 || s.lastRestartAt() == null ? Instant.MIN : s.lastRestartAt().plus(delay(s.restarts()));
  }

  /** A round of restarts ran at {@code now}, replacing {@code instance} (the first of the round) for {@code reason}. */
  public static State restarted(State s, Instant now, String instance, String reason) {
    return new State(s.restarts() + 1, now, null, instance, reason);
  }

  /**
   * What the run at {@code now} saw of the revision: {@code healthy} when some instance of it is
   * ready and none failed before becoming ready. Returns {@link State#NONE} once it stayed
   * healthy for {@link #RESET_AFTER}.
   */
  public static State observed(State s, boolean healthy, Instant now) {
    if (s.restarts() == 0) {
      return State.NONE;
    }
    if (!healthy) {
      return s.healthySince() == null ? s : new State(s.restarts(), s.lastRestartAt(), null, s.lastInstance(),
          s.lastReason());
    }
    Instant since = s.healthySince() == null ? now : s.healthySince();
    if (Duration.between(since, now).compareTo(RESET_AFTER) >= 0) {
      return State.NONE;
    }
    return since.equals(s.healthySince()) ? s
        : new State(s.restarts(), s.lastRestartAt(), since, s.lastInstance(), s.lastReason());
  }
}
