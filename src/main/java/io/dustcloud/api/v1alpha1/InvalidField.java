package io.dustcloud.api.v1alpha1;

import java.util.Objects;

/**
 * A value the operator could not read as its type: where it is ({@code spec.port},
 * {@code spec.bootArgs[2]}), what was there (as JSON, shortened) and what was expected.
 */
public record InvalidField(String path, String found, String expected) {
  public InvalidField {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(found, "found");
    Objects.requireNonNull(expected, "expected");
  }

  /** {@code spec.port: expected an integer, found "abc"} */
  public String describe() {
    return path + ": expected " + expected + ", found " + found;
  }
}
