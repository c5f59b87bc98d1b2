package io.dustcloud.supervisor;

import io.dustcloud.core.health.ProbeResult;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * HTTP health probes. Asynchronous, so one hung instance never delays the probes of others;
 * every probe is bounded by its own timeout.
 */
public final class HttpProber implements AutoCloseable {
  private final HttpClient client;

  public HttpProber() {
    this.client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(1))
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
  }

  /** Probes {@code http://address path}; 2xx passes. Never completes exceptionally. */
  public CompletableFuture<ProbeResult> probe(String address, String path, Duration timeout) {
    long start = System.nanoTime();
    HttpRequest request;
    try {
      request =
          HttpRequest.newBuilder(URI.create("http://" + address + path))
              .timeout(timeout)
              .GET()
              .build();
    } catch (IllegalArgumentException e) {
      return CompletableFuture.completedFuture(ProbeResult.fail(0, "bad probe URL: " + e.getMessage()));
    }
    return client
        .sendAsync(request, HttpResponse.BodyHandlers.discarding())
        .handle(
            (response, error) -> {
              long millis = (System.nanoTime() - start) / 1_000_000;
              if (error != null) {
                Throwable cause = error.getCause() != null ? error.getCause() : error;
                return ProbeResult.fail(millis, describe(cause));
              }
              int code = response.statusCode();
              return code >= 200 && code < 300
                  ? ProbeResult.pass(millis)
                  : ProbeResult.fail(millis, "HTTP " + code + " from " + path);
            });
  }

  private static String describe(Throwable t) {
    String name = t.getClass().getSimpleName();
    return t.getMessage() == null ? name : name + ": " + t.getMessage();
  }

  @Override
  public void close() {
    // java.net.http.HttpClient has no close() before Java 21; its threads are daemons.
  }
}
