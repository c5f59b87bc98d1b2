package io.dustcloud.supervisor;

import java.time.Duration;

/**
 * Where a fleet's scaling metric comes from and how a scrape becomes a per-instance value.
 *
 * @param label the name used in reasons and metrics: cpu, rps, concurrency or the metric's name
 * @param metric the exposition's metric, summed over its label sets
 * @param kind how the summed value becomes the per-instance value
 * @param scale multiplied in last (CPU: a core-second per second is 100 %)
 * @param path metrics path, e.g. /metrics
 * @param port metrics port when it differs from the instance's serving port; null otherwise
 * @param timeout per scrape: a slower instance counts as missing this tick
 */
public record MetricSource(String label, String metric, Kind kind, double scale, String path, Integer port,
    Duration timeout) {

  public enum Kind {
    /** A counter: the value is its per-second rate between consecutive scrapes. */
    RATE,
    /** A gauge: the value as read. */
    GAUGE,
    /** Decided per scrape by the metric's {@code # TYPE} (or a {@code _total} name). */
    AUTO
  }

  public static final String CPU_SECONDS = "process_cpu_seconds_total";

  /** CPU as percent of one core, from the process CPU counter. */
  public static MetricSource cpu(String path, Integer port, Duration timeout) {
    return new MetricSource("cpu", CPU_SECONDS, Kind.RATE, 100, path, port, timeout);
  }

  /** Where to scrape {@code address} (host:port of the instance). */
  public String url(String address) {
    return "http://" + hostPort(address) + path;
  }

  /** The host:port scraped for an instance at {@code address}: its own, or the metrics port. */
  public String hostPort(String address) {
    return port == null ? address : address.substring(0, address.lastIndexOf(':') + 1) + port;
  }
}
