package io.dustcloud.core.health;

/** One probe of one instance: passed or not, how long it took, and why it failed. */
public record ProbeResult(boolean passed, long latencyMillis, String detail) {
  public static ProbeResult pass(long latencyMillis) {
    return new ProbeResult(true, latencyMillis, "ok");
  }

  public static ProbeResult fail(long latencyMillis, String detail) {
    return new ProbeResult(false, latencyMillis, detail);
  }
}
