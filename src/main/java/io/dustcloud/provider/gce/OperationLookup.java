package io.dustcloud.provider.gce;

import com.google.api.gax.core.CredentialsProvider;
import com.google.api.gax.core.ExecutorProvider;
import com.google.api.gax.longrunning.OperationFuture;
import com.google.api.gax.rpc.ApiException;
import com.google.cloud.compute.v1.GlobalOperationsClient;
import com.google.cloud.compute.v1.GlobalOperationsSettings;
import com.google.cloud.compute.v1.Operation;
import com.google.cloud.compute.v1.RegionOperationsClient;
import com.google.cloud.compute.v1.RegionOperationsSettings;
import com.google.cloud.compute.v1.ZoneOperationsClient;
import com.google.cloud.compute.v1.ZoneOperationsSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Awaits Compute operations and, when one fails, reads it back to report GCE's own errors
 * ({@link GceOperationException}) instead of gax's status line. The failed operation is the
 * first answer when GCE failed it at once; otherwise it is fetched once by its selfLink from
 * the zone's, region's or global operations collection.
 */
final class OperationLookup implements AutoCloseable {
  private final ZoneOperationsClient zones;
  private final RegionOperationsClient regions;
  private final GlobalOperationsClient global;

  OperationLookup(ClientCalls.Setup setup) {
    try {
      zones = ZoneOperationsClient.create(setup.configure(ZoneOperationsSettings.newBuilder()).applyToAllUnaryMethods(ClientCalls.NO_RETRIES).build());
      regions = RegionOperationsClient.create(setup.configure(RegionOperationsSettings.newBuilder()).applyToAllUnaryMethods(ClientCalls.NO_RETRIES).build());
      global = GlobalOperationsClient.create(setup.configure(GlobalOperationsSettings.newBuilder()).applyToAllUnaryMethods(ClientCalls.NO_RETRIES).build());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the Compute operations clients: " + e.getMessage(), e);
    } catch (Exception e) {
      throw new IllegalStateException("cannot configure the Compute operations clients", e);
    }
  }

  /** Waits for the operation (the client polls it); a failure comes back in GCE's words when it can be read. */
  void await(OperationFuture<Operation, Operation> future) {
    try {
      future.get();
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      Operation failed = failedOperation(future);
      if (failed != null) {
        throw new GceOperationException(failed, cause);
      }
      if (cause instanceof ApiException api) {
        throw api;
      }
      if (cause instanceof RuntimeException rt) {
        throw rt;
      }
      throw new IllegalStateException(cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for a Compute operation", e);
    }
  }

  /** The operation with its errors, or null when there is none to read (the call itself was refused). */
  private Operation failedOperation(OperationFuture<Operation, Operation> future) {
    Operation first;
    try {
      // Compute's snapshots carry the Operation itself as response (and metadata)
      com.google.api.gax.longrunning.OperationSnapshot snapshot = future.getInitialFuture().get(1, TimeUnit.SECONDS);
      Object r = snapshot.getResponse() instanceof Operation ? snapshot.getResponse() : snapshot.getMetadata();
      if (!(r instanceof Operation op)) {
        return null;
      }
      first = op;
    } catch (Exception e) {
      return null; // no operation was created: the refusal is the HTTP answer itself
    }
    if (first.hasError() && first.getError().getErrorsCount() > 0) {
      return first;
    }
    try {
      Operation now = byLink(first.getSelfLink());
      return now != null && now.hasError() && now.getError().getErrorsCount() > 0 ? now : null;
    } catch (RuntimeException e) {
      return null; // the operation cannot be read: gax's report is all there is
    }
  }

  /** {@code …/projects/P/zones/Z/operations/N}, {@code …/regions/R/…} or {@code …/global/operations/N}. */
  private Operation byLink(String selfLink) {
    String[] s = selfLink.split("/");
    int p = java.util.Arrays.asList(s).indexOf("projects");
    if (p < 0 || s.length < p + 5) {
      return null;
    }
    String project = s[p + 1];
    String name = s[s.length - 1];
    return switch (s[p + 2]) {
      case "zones" -> zones.get(project, s[p + 3], name);
      case "regions" -> regions.get(project, s[p + 3], name);
      case "global" -> global.get(project, name);
      default -> null;
    };
  }

  @Override
  public void close() {
    zones.close();
    regions.close();
    global.close();
  }
}
