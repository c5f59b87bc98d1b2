package io.dustcloud.provider;

import io.dustcloud.core.Reason;
/**
 * A provider call that did not succeed. {@link #retryable()} separates what will likely pass
 * on a later attempt (rate limits, timeouts) from what needs a person (bad configuration).
 */
public class ProviderException extends RuntimeException {
  private final Reason reason;
  private final boolean retryable;

  public ProviderException(Reason reason, String message, boolean retryable, Throwable cause) {
    super(message, cause);
    this.reason = reason;
    this.retryable = retryable;
  }

  public ProviderException(Reason reason, String message, boolean retryable) {
    this(reason, message, retryable, null);
  }

  /** Why, in the reasons vocabulary: written into conditions and Events. */
  public Reason reason() {
    return reason;
  }

  public boolean retryable() {
    return retryable;
  }
}
