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
    OPERATION_ERROR,
    /**
     * HTTP 403, reason {@code forbidden}: "Required 'compute.firewalls.create' permission for
     * 'projects/P/global/firewalls/NAME'" — the service account lacks the permission. Not transient.
     */
    PERMISSION_DENIED,
    /**
     * HTTP 412, reason {@code conditionNotMet}: an organization policy constraint refuses the
     * resource ("Constraint constraints/compute.restrictProtocolForwardingCreationForTypes violated
     * ..." for forwarding rules and addresses, {@code compute.vmExternalIpAccess} otherwise), as
     * GCE answers such a request at once, before any operation. Not transient.
     */
    ORG_POLICY
  }

  /** The IAM permission a method needs: {@code firewalls.insert} → {@code compute.firewalls.create}. */
  static String permission(String method) {
    String collection = method.substring(0, method.indexOf('.')).replace("regionInstanceGroupManagers",
        "instanceGroupManagers");
    String verb = method.substring(method.indexOf('.') + 1);
    String action = switch (verb) {
      case "insert" -> "create";
      case "get", "getHealth", "getSerialPortOutput", "listManagedInstances" -> "get";
      case "list", "aggregatedList" -> "list";
      case "delete" -> "delete";
      default -> "update";
    };
    return "compute." + collection + "." + action;
  }

  /** The resource a call names, as GCE's messages write it: {@code projects/P/global/firewalls/NAME}. */
  static String resource(FakeCompute.Route r, byte[] body) {
    String name = r.name();
    if (name == null) {
      String text = new String(body, java.nio.charset.StandardCharsets.UTF_8);
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"name\"\\s*:\\s*\"([^\"]*)\"").matcher(text);
      name = m.find() ? m.group(1) : null;
    }
    return "projects/" + r.project() + "/" + r.scope() + "/" + r.collection() + (name == null ? "" : "/" + name);
  }

  /** GCE's message for a request an organization policy refuses. */
  static String orgPolicy(FakeCompute.Route r, byte[] body) {
    if (r.collection().equals("forwardingRules") || r.collection().equals("addresses")) {
      return "Constraint constraints/compute.restrictProtocolForwardingCreationForTypes violated for projects/"
          + r.project() + ". " + (r.collection().equals("addresses") ? "Address " : "Forwarding Rule ")
          + resource(r, body) + " of type EXTERNAL_NLB is not allowed.";
    }
    return "Constraint constraints/compute.vmExternalIpAccess violated for project " + r.project() + ". Add instance "
        + resource(r, body) + " to the constraint to use external IP with it.";
  }

  public volatile long latencyMillis;
  /**
   * While set and closed, every call (counted in {@code calls()} first) waits for it to open: a
   * Compute that has not answered yet, for as long as the test says, on any machine.
   */
  public volatile java.util.concurrent.CountDownLatch hold;
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

  /** Opens {@link #hold}: the calls waiting there are answered. */
  public void release() {
    java.util.concurrent.CountDownLatch h = hold;
    hold = null;
    if (h != null) {
      h.countDown();
    }
  }

  public void clear() {
    transientRate = 0;
    operationErrorRate = 0;
    latencyMillis = 0;
    release();
    scripted.set(0);
    operationError = TRANSIENT_OPERATION_ERROR;
  }

  /**
   * What an operation that finishes in error carries in {@code error.errors[]}, and the HTTP
   * status GCE gives it ({@code httpErrorStatusCode}).
   */
  public record OperationError(int httpStatus, String code, String message) {}

  /** The default: GCE's "too many operations on this resource", which is worth another try. */
  static final OperationError TRANSIENT_OPERATION_ERROR =
      new OperationError(503, "RESOURCE_OPERATION_RATE_EXCEEDED", "injected: operation failed");
  private volatile OperationError operationError = TRANSIENT_OPERATION_ERROR;

  /**
   * The next {@code n} calls of {@code method} are accepted and their operation ends with GCE's
   * {@code code} and {@code message} (e.g. 400 {@code INVALID_FIELD_VALUE}): no effect. Later
   * operation errors (rates, {@link Kind#OPERATION_ERROR}) carry the same until {@link #clear}.
   */
  public void failNextOperations(String method, int n, int httpStatus, String code, String message) {
    operationError = new OperationError(httpStatus, code, message);
    failNext(method, n, Kind.OPERATION_ERROR);
  }

  OperationError operationError() {
    return operationError;
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
