package io.dustcloud.core.health;

/**
 * Why an instance is unhealthy: one value per rule of {@link RepairPlanner}. Code decides on
 * the cause, never on the text of a reason.
 */
public enum RepairCause {
  /** The provider reports the instance gone (process exited, VM stopped). */
  EXITED("exited", ": ", true),
  /** It was ready, then failed {@code failureThreshold} probes in a row. */
  STOPPED_ANSWERING("stopped answering", ": ", false),
  /** It has not passed a probe within the startup deadline. */
  STARTUP_DEADLINE_MISSED("no passing probe within the startup deadline", " ", false);

  private final String label;
  private final String separator;
  private final boolean replacedByProvider;

  RepairCause(String label, String separator, boolean replacedByProvider) {
    this.label = label;
    this.separator = separator;
    this.replacedByProvider = replacedByProvider;
  }

  /** A short fixed text: the {@code cause} label of the repair metrics and the start of every reason. */
  public String label() {
    return label;
  }

  /**
   * Whether the provider's own realize replaces such an instance, so a repair must not ask for
   * a second replacement.
   */
  public boolean replacedByProvider() {
    return replacedByProvider;
  }

  /** The reason a person reads: the label, then the detail (if any). */
  public String describe(String detail) {
    return detail == null || detail.isEmpty() ? label : label + separator + detail;
  }
}
