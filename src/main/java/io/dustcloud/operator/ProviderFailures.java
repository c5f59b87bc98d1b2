package io.dustcloud.operator;

import io.dustcloud.provider.ProviderException;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A provider call that failed: retried soon when the provider says it may pass, else a stall. */
final class ProviderFailures {
  private static final Logger log = LoggerFactory.getLogger(ProviderFailures.class);
  /** Retry after a transient provider failure. */
  static final Duration PROGRESS_POLL = Duration.ofSeconds(2);

  private ProviderFailures() {}

  static StepResult result(FleetReconcile r, ProviderException e) {
    log.warn("fleet {}: provider {} failed: {}", r.fleet, r.provider.name(), e.getMessage());
    return e.retryable() ? StepResult.waitFor(e.reason(), e.getMessage(), PROGRESS_POLL)
        : StepResult.stall(e.reason(), e.getMessage());
  }
}
