package io.dustcloud.build;

import io.dustcloud.core.Reason;
import java.nio.file.Path;

/** Where a build stands. */
public sealed interface BuildResult {
  record Running(String message) implements BuildResult {}

  record Succeeded(Path artifact, String sha256) implements BuildResult {}

  record Failed(Reason reason, String message) implements BuildResult {}
}
