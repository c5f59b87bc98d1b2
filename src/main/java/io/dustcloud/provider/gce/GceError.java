package io.dustcloud.provider.gce;

import io.dustcloud.core.Reason;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.api.client.http.HttpResponseException;
import com.google.api.gax.rpc.ApiException;
import java.io.IOException;

/**
 * A failed Compute call, classified. The REST client maps statuses loosely (409 arrives as
 * {@code AbortedException}, 403 {@code rateLimitExceeded} as {@code PermissionDenied}), so the
 * HTTP status and GCE's own {@code reason} are read from the response the client kept as cause.
 *
 * @param status HTTP status (0 when no answer came: a dropped connection)
 * @param reason GCE's reason ({@code rateLimitExceeded}, {@code notFound}, …) or the gax code
 * @param message GCE's message, for conditions and events (never carries credentials)
 * @param operationFailed the request was accepted but its operation finished in error
 */
public record GceError(int status, String reason, String message, boolean operationFailed) {
  private static final ObjectMapper JSON = new ObjectMapper();

  public static GceError of(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof GceOperationException op) {
        // the operation's own errors: GCE's code (QUOTA_EXCEEDED, RESOURCE_NOT_FOUND, …) and message
        return new GceError(op.httpStatus() == 0 ? 400 : op.httpStatus(), op.code(),
            op.errorsText(), true);
      }
      if (c instanceof HttpResponseException http) {
        return fromResponse(http);
      }
      if (c instanceof IOException io) {
        return new GceError(0, "connectionLost", io.getMessage(), false);
      }
    }
    if (t instanceof ApiException api) {
      // no HTTP answer behind it: the client read a failed operation
      String code = api.getStatusCode().getCode().name();
      return new GceError(api.getStatusCode().getCode().getHttpStatusCode(), code, api.getMessage(), true);
    }
    return new GceError(0, t.getClass().getSimpleName(), String.valueOf(t.getMessage()), false);
  }

  /** Worth another attempt: quota and rate limits, unavailability, lost answers, timeouts. */
  public boolean transientFailure() {
    return status == 0 || status == 429 || status == 500 || status == 502 || status == 503 || status == 504
        || "rateLimitExceeded".equals(reason) || "userRateLimitExceeded".equals(reason)
        || "RESOURCE_EXHAUSTED".equals(reason) || "UNAVAILABLE".equals(reason) || "DEADLINE_EXCEEDED".equals(reason)
        || "RESOURCE_OPERATION_RATE_EXCEEDED".equals(reason) || "RATE_LIMIT_EXCEEDED".equals(reason);
  }

  /** The target (or, for an insert, something it names) does not exist: a 404, or RESOURCE_NOT_FOUND in an operation. */
  public boolean notFound() {
    return status == 404 || "RESOURCE_NOT_FOUND".equals(reason);
  }

  /** A 409, or RESOURCE_ALREADY_EXISTS in an operation. */
  public boolean alreadyExists() {
    return status == 409 || "RESOURCE_ALREADY_EXISTS".equals(reason) || "alreadyExists".equals(reason);
  }

  /** GCE refused the request itself as malformed (400: a bad field, filter or page token). */
  public boolean invalid() {
    return status == 400 && !operationFailed;
  }

  public boolean inUse() {
    return "resourceInUseByAnotherResource".equals(reason);
  }

  /** GCE's reason as a condition reason: {@code GceRateLimitExceeded}, {@code GceInvalid}, … */
  public Reason conditionReason() {
    return Reason.backend("Gce", reason);
  }

  private static GceError fromResponse(HttpResponseException http) {
    String reason = "http" + http.getStatusCode();
    String message = http.getStatusMessage();
    try {
      JsonNode error = JSON.readTree(http.getContent() == null ? "{}" : http.getContent()).path("error");
      if (error.has("message")) {
        message = error.path("message").asText();
      }
      JsonNode first = error.path("errors").path(0);
      if (first.has("reason")) {
        reason = first.path("reason").asText();
      }
    } catch (IOException | RuntimeException e) {
      // not JSON (a proxy's page): keep the status line
    }
    return new GceError(http.getStatusCode(), reason, message, false);
  }
}
