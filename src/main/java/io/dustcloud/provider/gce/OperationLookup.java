package io.dustcloud.provider.gce;

import com.google.cloud.compute.v1.GlobalOperationsClient;
import com.google.cloud.compute.v1.GlobalOperationsSettings;
import com.google.cloud.compute.v1.Operation;
import com.google.cloud.compute.v1.RegionOperationsClient;
import com.google.cloud.compute.v1.RegionOperationsSettings;
import com.google.cloud.compute.v1.ZoneOperationsClient;
import com.google.cloud.compute.v1.ZoneOperationsSettings;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Awaits Compute operations the way that costs fewest requests, and reports a failed one in
 * GCE's own words ({@link GceOperationException}: each entry of its {@code error.errors[]}).
 * Mutating calls are made with the clients' unary callables, which return the operation as GCE
 * answered it without polling; one not yet DONE is waited for with {@code operations.wait} on
 * its zone's, region's or the global collection — GCE answers when it is done or after about two
 * minutes — instead of gax's polling every 0.5 s (growing 1.5× to 20 s), which sends several
 * requests for an operation of a few seconds. Every request counts against the call budget.
 */
final class OperationLookup implements AutoCloseable {
  /** An operation still running after this long fails the call as transient (GceCalls retries it by requestId). */
  static final java.time.Duration LIMIT = java.time.Duration.ofMinutes(10);

  private final ZoneOperationsClient zones;
  private final RegionOperationsClient regions;
  private final GlobalOperationsClient global;

  OperationLookup(ClientCalls.Setup setup) {
    try {
      zones = ZoneOperationsClient.create(setup.configure(ZoneOperationsSettings.newBuilder())
          .applyToAllUnaryMethods(ClientCalls.NO_RETRIES).build());
      regions = RegionOperationsClient.create(setup.configure(RegionOperationsSettings.newBuilder())
          .applyToAllUnaryMethods(ClientCalls.NO_RETRIES).build());
      global = GlobalOperationsClient.create(setup.configure(GlobalOperationsSettings.newBuilder())
          .applyToAllUnaryMethods(ClientCalls.NO_RETRIES).build());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the Compute operations clients: " + e.getMessage(), e);
    } catch (Exception e) {
      throw new IllegalStateException("cannot configure the Compute operations clients", e);
    }
  }

  /** Waits until {@code op} is DONE; a failure comes back in GCE's words. */
  void await(Operation op) {
    Operation now = op;
    long deadline = System.nanoTime() + LIMIT.toNanos();
    while (now.getStatus() != Operation.Status.DONE) {
      if (System.nanoTime() > deadline) {
        throw new com.google.api.gax.rpc.DeadlineExceededException("Compute operation " + now.getName()
            + " (" + now.getOperationType() + " " + now.getTargetLink() + ") still " + now.getStatus()
            + " after " + LIMIT.toMinutes() + " min", null,
            com.google.api.gax.httpjson.HttpJsonStatusCode.of(com.google.api.gax.rpc.StatusCode.Code.DEADLINE_EXCEEDED),
            true);
      }
      now = waitFor(now.getSelfLink());
    }
    if (now.hasError() && now.getError().getErrorsCount() > 0) {
      throw new GceOperationException(now, null);
    }
  }

  /** {@code …/projects/P/zones/Z/operations/N}, {@code …/regions/R/…} or {@code …/global/operations/N}. */
  private Operation waitFor(String selfLink) {
    String[] s = selfLink.split("/");
    int p = java.util.Arrays.asList(s).indexOf("projects");
    if (p < 0 || s.length < p + 5) {
      throw new IllegalStateException("not an operation's link: " + selfLink);
    }
    String project = s[p + 1];
    String name = s[s.length - 1];
    return switch (s[p + 2]) {
      case "zones" -> zones.wait(project, s[p + 3], name);
      case "regions" -> regions.wait(project, s[p + 3], name);
      case "global" -> global.wait(project, name);
      default -> throw new IllegalStateException("not an operation's link: " + selfLink);
    };
  }

  @Override
  public void close() {
    zones.close();
    regions.close();
    global.close();
  }
}
