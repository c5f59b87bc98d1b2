package io.dustcloud.dev;

import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Faults the dev API server injects, for reliability tests of the operator (never set by
 * {@code dustcloud dev} itself; everything is off by default). Settable while the server runs:
 *
 * <ul>
 *   <li>{@link #statusConflictRate}: share of status writes ({@code PUT}/{@code PATCH} on
 *       {@code …/status}) answered {@code 409 Conflict} without touching the store, as a real API
 *       server does when the object changed since it was read;
 *   <li>{@link #unavailable}: every request answered {@code 503 ServiceUnavailable} (an API
 *       server that is up but overloaded or without etcd); open watches stay open;
 *   <li>{@link #admissionBypassed}: writes reach the store without admission (no schema,
 *       pruning, defaults or CEL rules), so a test can store what a cluster can still hand the
 *       operator: unknown fields (a CRD newer than the operator) or values of the wrong type (a
 *       CRD installed by someone else, {@code x-kubernetes-preserve-unknown-fields}).
 * </ul>
 *
 * An API server that is gone (connections refused, watches dropped) is {@link
 * DevApiServer#stop()} and {@link DevApiServer#restart()}.
 */
public final class DevFaults {
  public volatile double statusConflictRate;
  public volatile boolean unavailable;
  public volatile boolean admissionBypassed;
  private final Random random;
  private final AtomicLong conflicts = new AtomicLong();
  private final AtomicLong refused = new AtomicLong();

  DevFaults(long seed) {
    this.random = new Random(seed);
  }

  /** Seeds the conflict draws, so a failing run can be replayed. */
  public void seed(long seed) {
    synchronized (random) {
      random.setSeed(seed);
    }
  }

  public long conflictsInjected() {
    return conflicts.get();
  }

  public long unavailableInjected() {
    return refused.get();
  }

  public void clear() {
    statusConflictRate = 0;
    unavailable = false;
    admissionBypassed = false;
  }

  /** The injected answer for this request, or null to serve it. */
  MockResponse inject(RecordedRequest request, RequestPath target) {
    if (unavailable) {
      refused.incrementAndGet();
      return Responses.status(503, "ServiceUnavailable", "the dev API server is unavailable (injected fault)");
    }
    double rate = statusConflictRate;
    if (rate > 0 && (request.method() == HttpMethod.PUT || request.method() == HttpMethod.PATCH)
        && target.path().endsWith("/status")) {
      boolean hit;
      synchronized (random) {
        hit = random.nextDouble() < rate;
      }
      if (hit) {
        conflicts.incrementAndGet();
        return Responses.status(409, "Conflict", "Operation cannot be fulfilled on " + target.path()
            + ": the object has been modified; please apply your changes to the latest version and try again"
            + " (injected fault)");
      }
    }
    return null;
  }
}
