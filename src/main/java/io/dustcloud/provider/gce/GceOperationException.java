package io.dustcloud.provider.gce;

import com.google.cloud.compute.v1.Errors;
import com.google.cloud.compute.v1.Operation;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A Compute operation that finished in error, in GCE's words: the operation's own {@code
 * error.errors[]} (code and message of each), which gax drops — it reports only the HTTP status
 * and its reason phrase ("Operation … failed with status = 400 and message = BAD REQUEST").
 */
public final class GceOperationException extends RuntimeException {
  private final int httpStatus;
  private final List<Errors> errors;

  public GceOperationException(Operation op, Throwable cause) {
    super(describe(op), cause);
    this.httpStatus = op.getHttpErrorStatusCode();
    this.errors = List.copyOf(op.getError().getErrorsList());
  }

  /** The HTTP status GCE gave the operation's failure (0 when it gave none). */
  public int httpStatus() {
    return httpStatus;
  }

  /** The first error's code ({@code QUOTA_EXCEEDED}, {@code RESOURCE_NOT_FOUND}, …). */
  public String code() {
    return errors.isEmpty() ? "" : errors.get(0).getCode();
  }

  public List<Errors> errors() {
    return errors;
  }

  /** GCE's words alone: {@code CODE: message} of each error (the call and its target are the caller's to name). */
  public String errorsText() {
    return errors.stream().map(e -> e.getCode() + ": " + e.getMessage()).collect(Collectors.joining("; "));
  }

  private static String describe(Operation op) {
    String what = op.getOperationType() + " of " + GceNames.lastSegment(op.getTargetLink());
    return what + " failed: " + op.getError().getErrorsList().stream()
        .map(e -> e.getCode() + ": " + e.getMessage()).collect(Collectors.joining("; "));
  }
}
