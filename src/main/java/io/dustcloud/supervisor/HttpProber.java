package io.dustcloud.supervisor;

import io.dustcloud.core.health.ProbeResult;
import java.io.IOException;
import java.net.InetSocketAddress;
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
  private final InstanceHttp client;
  /** Where results are delivered; null: on the client's selector thread. */
  private final java.util.concurrent.Executor callbacks;

  public HttpProber() {
    this(null);
  }

  /**
   * A prober on the process-wide shared client.
   *
   * @param executor where results are delivered (what callers chain runs there); null: on the
   *     client's selector thread
   */
  public HttpProber(java.util.concurrent.Executor executor) {
    this(InstanceHttp.shared(), executor);
  }

  HttpProber(InstanceHttp client, java.util.concurrent.Executor executor) {
    this.client = client;
    this.callbacks = executor;
  }

  public CompletableFuture<ProbeResult> probe(String address, ProbeSpec spec) {
    return spec.kind() == ProbeSpec.Kind.TCP
        ? tcp(address, spec.timeout())
        : http(address, spec.path(), spec.statusMin(), spec.statusMax(), spec.timeout());
  }

  /**
   * GET {@code http://address path}; a status in [min, max] passes. Redirects are not followed
   * (a redirect is an answer, not a hop to follow); the body is read past, not kept.
   */
  public CompletableFuture<ProbeResult> http(String address, String path, int min, int max, Duration timeout) {
    long start = System.nanoTime();
    return client.get(address, path, timeout, false, callbacks).thenApply(answer -> {
      long millis = elapsedMillis(start);
      if (!answer.ok()) {
        return ProbeResult.fail(millis, answer.error());
      }
      int code = answer.status();
      return code >= min && code <= max
          ? ProbeResult.pass(millis)
          : ProbeResult.fail(millis, "HTTP " + code + " from GET " + path);
    });
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
