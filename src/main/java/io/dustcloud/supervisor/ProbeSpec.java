package io.dustcloud.supervisor;

import java.time.Duration;

/** How a fleet's instances are probed. */
public record ProbeSpec(String path, Duration period, Duration timeout, int failureThreshold) {
  public static final ProbeSpec DEFAULT =
      new ProbeSpec("/health", Duration.ofSeconds(30), Duration.ofSeconds(1), 3);
}
