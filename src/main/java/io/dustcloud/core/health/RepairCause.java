package io.dustcloud.core.health;

/**
 * Why an instance is unhealthy: one value per rule of {@link RepairPlanner}. Code decides on
 * the cause, never on the text of a reason.
 */
public enum RepairCause {
  /** The provider reports the instance gone (process exited, VM stopped) after it had been ready. */
  EXITED("exited", ": ", false),
  /** The provider reports the instance gone before it ever became ready: a crash loop. */
  EXITED_BEFORE_READY("exited before it became ready", ": ", true),
  /** It was ready, then failed {@code failureThreshold} probes in a row. */
  STOPPED_ANSWERING("stopped answering", ": ", false),
  /** It has not passed a probe within the startup deadline: a crash loop too (a hung boot). */
  STARTUP_DEADLINE_MISSED("no passing probe within the startup deadline", " ", true);

  private final String label;
  private final String separator;
  private final boolean beforeReady;

  RepairCause(String label, String separator, boolean beforeReady) {
    this.label = label;
    this.separator = separator;
    this.beforeReady = beforeReady;
  }

  /** A short fixed text: the {@code cause} label of the repair metrics and the start of every reason. */
  public String label() {
    return label;
  }

  /**
   * Whether the instance failed before it ever became ready: such repairs follow the crash-loop
   * backoff ({@link CrashLoopBackoff}), not the breaker.
   */
  public boolean beforeReady() {
    return beforeReady;
  }

  /** The reason as a person reads it: the label, then the detail (if any). */
  public String describe(String detail) {
    return detail == null || detail.isEmpty() ? label : label + separator + detail;
  }
}
