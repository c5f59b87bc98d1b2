package io.dustcloud.provider.gce;

import io.dustcloud.core.Reason;
import com.google.protobuf.Message;
import io.dustcloud.provider.FleetId;
import io.dustcloud.provider.ProviderException;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every Compute call goes through here: it waits its turn in the project's fair rate limiter,
 * retries transient failures with jittered backoff under the same requestId, and turns what is
 * left into a {@link ProviderException} carrying GCE's reason and message.
 */
public final class GceCalls {
  private static final Logger log = LoggerFactory.getLogger(GceCalls.class);

  /** How a mutating call ended, when it did not fail. */
  public enum Outcome { DONE, ALREADY_EXISTS, NOT_FOUND }

  /** Sleeps between retries; tests pass one that does not. */
  public interface Sleeper {
    void sleep(Duration d) throws InterruptedException;
  }

  private final FairRateLimiter limiter;
  private final Backoff backoff;
  private final Sleeper sleeper;
  private final RequestIds requestIds = new RequestIds();

  public GceCalls(FairRateLimiter limiter, Backoff backoff, Sleeper sleeper) {
    this.limiter = limiter;
    this.backoff = backoff;
    this.sleeper = sleeper;
  }

  /** A read; 404s are the api's to answer (as empty). */
  public <T> T read(FleetId fleet, String what, Supplier<T> call) {
    return read(fleet, what, false, call);
  }

  /** A read whose turn comes before every fleet's ({@link FairRateLimiter#acquire(String, boolean)}). */
  public <T> T readAhead(FleetId key, String what, Supplier<T> call) {
    return read(key, what, true, call);
  }

  private <T> T read(FleetId fleet, String what, boolean ahead, Supplier<T> call) {
    for (int attempt = 1; ; attempt++) {
      acquire(fleet, ahead);
      try {
        return call.get();
      } catch (RuntimeException e) {
        retryOrThrow(fleet, what, e, attempt);
      }
    }
  }

  /**
   * A mutating call for one intent ({@code what}, e.g. {@code images.insert NAME}) with its
   * body. {@code call} receives the requestId. 409 and 404 are outcomes, not failures: an insert
   * that finds the resource adopts it, a delete that finds nothing is done, and a change to a
   * group that vanished is the caller's to handle.
   */
  public Outcome mutate(FleetId fleet, String what, Message body, Consumer<String> call) {
    String requestId = requestIds.next(what, body);
    for (int attempt = 1; ; attempt++) {
      acquire(fleet);
      try {
        call.accept(requestId);
        requestIds.completed(what, body);
        return Outcome.DONE;
      } catch (RuntimeException e) {
        GceError error = GceError.of(e);
        // what 409 and 404 mean depends on the call: an insert that finds its resource adopts it,
        // but one that finds something it names missing (an image's source, a template's image)
        // failed; a delete that finds nothing is done; any other change of a vanished target is
        // the caller's to handle; an "already exists" answer to anything but an insert is a failure
        boolean insert = what.split(" ", 2)[0].endsWith(".insert");
        if (error.alreadyExists() && insert) {
          requestIds.completed(what, body);
          return Outcome.ALREADY_EXISTS;
        }
        if (error.notFound() && !insert) {
          requestIds.completed(what, body);
          return Outcome.NOT_FOUND;
        }
        if (error.operationFailed()) {
          // GCE answers a repeated requestId with the same failed operation: retry as a new request
          requestIds.failed(what, body);
          requestId = requestIds.next(what, body);
        }
        retryOrThrow(fleet, what, e, attempt);
      }
    }
  }

  private void retryOrThrow(FleetId fleet, String what, RuntimeException e, int attempt) {
    if (e instanceof ProviderException pe) {
      throw pe;
    }
    GceError error = GceError.of(e);
    if (!error.transientFailure()) {
      throw new ProviderException(error.conditionReason(),
          "GCE " + what + " for " + fleet + " failed: " + error.message(), false, e);
    }
    if (attempt >= backoff.attempts()) {
      throw new ProviderException(error.conditionReason(),
          "GCE " + what + " for " + fleet + " still failing after " + attempt + " attempts: " + error.message(), true, e);
    }
    Duration delay = backoff.delay(attempt);
    log.debug("fleet {}: {} failed ({} {}), retry {} in {} ms", fleet, what, error.status(), error.reason(), attempt,
        delay.toMillis());
    try {
      sleeper.sleep(delay);
    } catch (InterruptedException ie) {
      Thread.currentThread().interrupt();
      throw new ProviderException(Reason.INTERRUPTED, "interrupted while retrying " + what, true, ie);
    }
  }

  private void acquire(FleetId fleet) {
    acquire(fleet, false);
  }

  private void acquire(FleetId fleet, boolean ahead) {
    try {
      limiter.acquire(fleet.key(), ahead);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ProviderException(Reason.INTERRUPTED, "interrupted waiting for the GCE call budget", true, e);
    }
  }
}
