package io.dustcloud.supervisor;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Scrapes one instance's metrics endpoint. Asynchronous, bounded by the source's timeout and
 * never completes exceptionally, so a fleet's scrapes run side by side and a hung instance
 * only costs its own value.
 */
public final class MetricsScraper {
  /**
   * One scrape's outcome.
   *
   * @param value the metric summed over its label sets; NaN when the scrape failed
   * @param counter whether the metric is a counter (for {@link MetricSource.Kind#AUTO})
   * @param at when the response arrived: rates use it, not the tick's time
   * @param error why the scrape failed, or null
   */
  public record Scrape(double value, boolean counter, Instant at, String error) {
    public boolean ok() {
      return error == null;
    }
  }

  private final HttpClient client;
  /** Where responses are parsed (off the common pool, see {@link HttpProber}); null: anywhere. */
  private final Executor callbacks;
  private final Clock clock;

  public MetricsScraper(Clock clock) {
    this(clock, null);
  }

  /** @param executor runs the client's response handling; null for the JDK's default */
  public MetricsScraper(Clock clock, Executor executor) {
    this.client = HttpProber.instanceClient(executor);
    this.callbacks = executor;
    this.clock = clock;
  }

  public CompletableFuture<Scrape> scrape(String address, MetricSource source) {
    HttpRequest request;
    try {
      request = HttpRequest.newBuilder(URI.create(source.url(address))).timeout(source.timeout()).GET().build();
    } catch (IllegalArgumentException e) {
      return CompletableFuture.completedFuture(failed("bad metrics URL: " + e.getMessage()));
    }
    java.util.function.BiFunction<HttpResponse<String>, Throwable, Scrape> outcome = (response, error) -> {
      if (error != null) {
        Throwable cause = error.getCause() != null ? error.getCause() : error;
        return failed(cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage()));
      }
      if (response.statusCode() != 200) {
        return failed("HTTP " + response.statusCode() + " from " + source.path());
      }
      return read(response.body(), source);
    };
    return HttpProber.deliver(client.sendAsync(request, HttpResponse.BodyHandlers.ofString()), outcome, callbacks)
        // the client's own timeout covers the exchange; this also bounds a slow body
        .completeOnTimeout(failed("scrape timed out after " + source.timeout().toMillis() + "ms"),
            source.timeout().toMillis() + 100, java.util.concurrent.TimeUnit.MILLISECONDS);
  }

  Scrape read(String body, MetricSource source) {
    try {
      PrometheusText.Parsed parsed = PrometheusText.parse(body, source.metric());
      double v = parsed.sum(source.metric());
      if (Double.isNaN(v)) {
        return failed("metric " + source.metric() + " not found");
      }
      return new Scrape(v, parsed.isCounter(source.metric()), clock.instant(), null);
    } catch (IllegalArgumentException e) {
      return failed("unparseable metrics: " + e.getMessage());
    }
  }

  private Scrape failed(String why) {
    return new Scrape(Double.NaN, false, clock.instant(), why);
  }
}
