package io.dustcloud.core.health;

import java.util.Objects;

/**
 * Replace instance {@code instanceId} of {@code revision}, because of {@code cause}.
 *
 * @param detail what was observed, for people (probe counts, the last probe's error); may be empty
 */
public record Repair(String instanceId, String revision, RepairCause cause, String detail) {
  public Repair {
    Objects.requireNonNull(cause, "cause");
    detail = detail == null ? "" : detail;
  }

  /** The reason as a person reads it, e.g. {@code stopped answering: 3 probes failed in a row, last: ...}. */
  public String reason() {
    return cause.describe(detail);
  }
}
