package io.dustcloud.core.revision;

import java.util.List;

/**
 * The one rule for boot arguments left out: none. Specs, revisions, build inputs and the
 * provider SPI all read them through here, so a missing list and an empty one are the same
 * revision everywhere.
 */
public final class BootArgs {
  private BootArgs() {}

  /** An immutable copy of {@code args}; empty when there are none. */
  public static List<String> of(List<String> args) {
    return args == null ? List.of() : List.copyOf(args);
  }
}
