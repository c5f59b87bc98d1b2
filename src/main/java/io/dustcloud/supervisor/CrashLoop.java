package io.dustcloud.supervisor;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A revision in crash-loop backoff, as status shows it. Every field changes only when the
 * supervisor restarts an instance of the revision, so a status made of it stays byte-identical
 * between restarts however often the fleet is reconciled.
 *
 * @param revision the revision whose instances fail before they become ready
 * @param restarts rounds of restarts since the backoff last started over
 * @param nextAttempt when the next restart may run
 * @param delay the wait before it, counted from the last restart
 * @param instanceId the instance the last restart replaced
 * @param reason why it was replaced
 * @param outputTail the last lines of that instance's output (bounded; empty when the provider has none)
 */
public record CrashLoop(String revision, int restarts, Instant nextAttempt, Duration delay, String instanceId,
    String reason, List<String> outputTail) {
  public CrashLoop {
    Objects.requireNonNull(revision, "revision");
    outputTail = List.copyOf(outputTail);
  }

  /** One line for people: what fails, how often it was restarted, when the next attempt is, and its last output. */
  public String message() {
    StringBuilder m = new StringBuilder("revision ").append(revision).append(" is crash-looping: instance ")
        .append(instanceId).append(' ').append(reason).append("; restarted ").append(restarts)
        .append(restarts == 1 ? " time" : " times").append(", backing off ").append(delay.toSeconds())
        .append("s: next attempt at ").append(nextAttempt).append(" (in ").append(delay.toSeconds())
        .append("s)");
    if (!outputTail.isEmpty()) {
      m.append("; last output: ").append(String.join(" | ", outputTail));
    }
    return m.toString();
  }
}
