package io.dustcloud.provider;

/**
 * A provider call that did not succeed. {@link #retryable()} separates what will likely pass
 * on a later attempt (rate limits, timeouts) from what needs a person (bad configuration).
 */
public class ProviderException extends RuntimeException {
  private final String reason;
  private final boolean retryable;

  public ProviderException(String reason, String message, boolean retryable, Throwable cause) {
    super(message, cause);
    this.reason = reason;
    this.retryable = retryable;
  }

  public ProviderException(String reason, String message, boolean retryable) {
    this(reason, message, retryable, null);
  }

  /** A CamelCase reason suitable for a condition. */
  public String reason() {
    return reason;
  }

  public boolean retryable() {
    return retryable;
  }
}
