package io.dustcloud.operator;

import io.dustcloud.core.Reason;
import java.time.Duration;
import java.util.Objects;

/**
 * What one step of the reconcile pipeline came to: go on to the next step, wait (the fleet is
 * progressing; look again after {@code requeue}), or stall (nothing will change until the spec
 * does, or a person acts).
 */
sealed interface StepResult {
  StepResult CONTINUE = new Continue();

  /** The step did its part; the next one runs. */
  record Continue() implements StepResult {}

  /** Progress that is not a failure (a build running, a provider call to retry). */
  record Wait(Reason reason, String message, Duration requeue) implements StepResult {
    public Wait {
      Objects.requireNonNull(reason, "reason");
      Objects.requireNonNull(requeue, "requeue");
    }
  }

  /** The spec cannot be acted on as it is. */
  record Stall(Reason reason, String message) implements StepResult {
    public Stall {
      Objects.requireNonNull(reason, "reason");
    }
  }

  static StepResult stall(Reason reason, String message) {
    return new Stall(reason, message);
  }

  static StepResult waitFor(Reason reason, String message, Duration requeue) {
    return new Wait(reason, message, requeue);
  }
}
