package io.dustcloud.supervisor;

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

  private final InstanceHttp client;
  /** Where responses are parsed (off the client's selector thread); null: there. */
  private final Executor callbacks;
  private final Clock clock;

  public MetricsScraper(Clock clock) {
    this(clock, null);
  }

  /** @param executor where responses are parsed, on the process-wide shared client; null: its selector thread */
  public MetricsScraper(Clock clock, Executor executor) {
    this(clock, InstanceHttp.shared(), executor);
  }

  MetricsScraper(Clock clock, InstanceHttp client, Executor executor) {
    this.client = client;
    this.callbacks = executor;
    this.clock = clock;
  }

  /** The client bounds the whole exchange, connect and body included, by the source's timeout. */
  public CompletableFuture<Scrape> scrape(String address, MetricSource source) {
    String hostPort = source.hostPort(address);
    return client.get(hostPort, source.path(), source.timeout(), true, callbacks).thenApply(answer -> {
      if (!answer.ok()) {
        return failed(answer.error());
      }
      if (answer.status() != 200) {
        return failed("HTTP " + answer.status() + " from " + source.path());
      }
      return read(answer.body(), source);
    });
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
