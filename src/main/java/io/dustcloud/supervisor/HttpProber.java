package io.dustcloud.supervisor;

import io.dustcloud.core.health.ProbeResult;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.CompletionHandler;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * HTTP and TCP health probes. Asynchronous, so one hung instance never delays the probes of
 * others; every probe is bounded by its own timeout and never completes exceptionally.
 */
public final class HttpProber {
  private final HttpClient client;
  /** Where results are delivered; null: wherever the client completes them. */
  private final java.util.concurrent.Executor callbacks;

  public HttpProber() {
    this(null);
  }

  /**
   * @param executor runs the client's response handling; null for the JDK's default, an
   *     unbounded pool that grew to 700 threads under thousands of probes a second
   */
  public HttpProber(java.util.concurrent.Executor executor) {
    this.client = instanceClient(executor);
    this.callbacks = executor;
  }

  /**
   * The client probes and scrapes share the settings of: HTTP/1.1 (instances are small servers),
   * a 1 s connect timeout, no redirects (a redirect is an answer, not a hop to follow).
   */
  static HttpClient instanceClient(java.util.concurrent.Executor executor) {
    HttpClient.Builder b = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(1))
        .followRedirects(HttpClient.Redirect.NEVER);
    if (executor != null) {
      b.executor(executor);
    }
    return b.build();
  }

  public CompletableFuture<ProbeResult> probe(String address, ProbeSpec spec) {
    return spec.kind() == ProbeSpec.Kind.TCP
        ? tcp(address, spec.timeout())
        : http(address, spec.path(), spec.statusMin(), spec.statusMax(), spec.timeout());
  }

  /** GET {@code http://address path}; a status in [min, max] passes. */
  public CompletableFuture<ProbeResult> http(String address, String path, int min, int max, Duration timeout) {
    long start = System.nanoTime();
    HttpRequest request;
    try {
      request = HttpRequest.newBuilder(URI.create("http://" + address + path)).timeout(timeout).GET().build();
    } catch (IllegalArgumentException e) {
      return CompletableFuture.completedFuture(ProbeResult.fail(0, "bad probe URL: " + e.getMessage()));
    }
    java.util.function.BiFunction<HttpResponse<Void>, Throwable, ProbeResult> outcome = (response, error) -> {
      long millis = elapsedMillis(start);
      if (error != null) {
        return ProbeResult.fail(millis, describe(error.getCause() != null ? error.getCause() : error));
      }
      int code = response.statusCode();
      return code >= min && code <= max
          ? ProbeResult.pass(millis)
          : ProbeResult.fail(millis, "HTTP " + code + " from GET " + path);
    };
    return deliver(client.sendAsync(request, HttpResponse.BodyHandlers.discarding()), outcome, callbacks);
  }

  /**
   * The outcome of a sent request, computed on {@code callbacks} (null: wherever the client
   * completes it). JDK 17 completes {@code sendAsync} on the common pool, which the Kubernetes
   * client's calls also pass through: results, and what callers chain on them, must not run there.
   */
  static <T, R> CompletableFuture<R> deliver(CompletableFuture<HttpResponse<T>> sent,
      java.util.function.BiFunction<HttpResponse<T>, Throwable, R> outcome, java.util.concurrent.Executor callbacks) {
    return callbacks == null ? sent.handle(outcome) : sent.handleAsync(outcome, callbacks);
  }

  /** Connects to {@code host:port}; an accepted connection passes. */
  public CompletableFuture<ProbeResult> tcp(String address, Duration timeout) {
    long start = System.nanoTime();
    CompletableFuture<ProbeResult> result = new CompletableFuture<>();
    AsynchronousSocketChannel channel;
    try {
      int colon = address.lastIndexOf(':');
      InetSocketAddress target =
          new InetSocketAddress(address.substring(0, colon), Integer.parseInt(address.substring(colon + 1)));
      channel = AsynchronousSocketChannel.open();
      channel.connect(target, null, new CompletionHandler<Void, Void>() {
        @Override
        public void completed(Void v, Void a) {
          result.complete(ProbeResult.pass(elapsedMillis(start)));
          closeQuietly(channel);
        }

        @Override
        public void failed(Throwable t, Void a) {
          result.complete(ProbeResult.fail(elapsedMillis(start), describe(t)));
          closeQuietly(channel);
        }
      });
    } catch (IOException | RuntimeException e) {
      return CompletableFuture.completedFuture(ProbeResult.fail(elapsedMillis(start), describe(e)));
    }
    return result.completeOnTimeout(
            ProbeResult.fail(timeout.toMillis(), "TCP connect timed out after " + timeout.toMillis() + "ms"),
            timeout.toMillis(), TimeUnit.MILLISECONDS)
        .whenComplete((r, e) -> closeQuietly(channel));
  }

  private static void closeQuietly(AsynchronousSocketChannel c) {
    try {
      c.close();
    } catch (IOException ignored) {
      // nothing to do: the probe already has its result
    }
  }

  private static long elapsedMillis(long startNanos) {
    return (System.nanoTime() - startNanos) / 1_000_000;
  }

  private static String describe(Throwable t) {
    String name = t.getClass().getSimpleName();
    return t.getMessage() == null ? name : name + ": " + t.getMessage();
  }
}
