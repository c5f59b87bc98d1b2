package io.dustcloud.testing.gce;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Faults the fake injects, settable while it runs. Rates are probabilities per call; scripted
 * faults ({@link #failNext}) hit the next calls whatever the rates say.
 */
public final class FakeFaults {
  /** What a faulty call does instead of its work. */
  public enum Kind {
    /** HTTP 429 (ResourceExhausted). */
    TOO_MANY_REQUESTS,
    /** HTTP 503. */
    UNAVAILABLE,
    /** HTTP 403 with reason rateLimitExceeded. */
    RATE_LIMIT_EXCEEDED,
    /** The connection is closed without an answer, after the call took effect (a lost reply). */
    DROP_AFTER_EFFECT,
    /** The mutating call's operation finishes in error (no effect). */
    OPERATION_ERROR
  }

  public volatile long latencyMillis;
  /** Share of calls failing with a transient error (429, 503, rateLimitExceeded, dropped reply), 0..1. */
  public volatile double transientRate;
  /** Share of mutating calls whose operation finishes in error, 0..1. */
  public volatile double operationErrorRate;
  private final AtomicInteger scripted = new AtomicInteger();
  private volatile Kind scriptedKind;
  private volatile String scriptedMethod;

  /** The next {@code n} calls fail with {@code kind}. */
  public void failNext(int n, Kind kind) {
    failNext(null, n, kind);
  }

  /** The next {@code n} calls of {@code method} (e.g. {@code images.insert}; null: any) fail with {@code kind}. */
  public void failNext(String method, int n, Kind kind) {
    scriptedKind = kind;
    scriptedMethod = method;
    scripted.set(n);
  }

  public void clear() {
    transientRate = 0;
    operationErrorRate = 0;
    latencyMillis = 0;
    scripted.set(0);
  }

  /** The fault for one call, or null. */
  Kind draw(String method, boolean mutating) {
    String only = scriptedMethod;
    if ((only == null || only.equals(method)) && scripted.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      return scriptedKind;
    }
    ThreadLocalRandom r = ThreadLocalRandom.current();
    if (r.nextDouble() < transientRate) {
      Kind[] transients = mutating
          ? new Kind[] {Kind.TOO_MANY_REQUESTS, Kind.UNAVAILABLE, Kind.RATE_LIMIT_EXCEEDED, Kind.DROP_AFTER_EFFECT}
          : new Kind[] {Kind.TOO_MANY_REQUESTS, Kind.UNAVAILABLE, Kind.RATE_LIMIT_EXCEEDED, Kind.DROP_AFTER_EFFECT};
      return transients[r.nextInt(transients.length)];
    }
    if (mutating && r.nextDouble() < operationErrorRate) {
      return Kind.OPERATION_ERROR;
    }
    return null;
  }
}
