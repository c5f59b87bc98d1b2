package io.dustcloud.supervisor;

import io.dustcloud.core.autoscale.MetricSample;
import io.dustcloud.core.autoscale.ScaleDecision;
import io.dustcloud.core.autoscale.ScalingPolicy;
import io.dustcloud.provider.FleetId;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.concurrent.CompletableFuture;

/**
 * The autoscaling half of a fleet's tick: {@link #begin} scrapes the ready instances, and
 * {@link #finish}, once the scrapes are in (or timed out), turns them into a
 * {@link MetricSample} and asks the policy for the fleet's total. Used by one tick at a time.
 */
final class FleetAutoscaler {
  /** Scrapes started by one tick. */
  record Round(Map<String, CompletableFuture<MetricsScraper.Scrape>> scrapes, AutoscaleSpec spec, Instant started,
      long startNanos) {
    CompletableFuture<?>[] futures() {
      return scrapes.values().toArray(CompletableFuture[]::new);
    }
  }

  // rounds start on the supervisor's runs (four per tick): accept one a little early so
  // scheduling jitter does not skip a whole run, but not so early that two fit in one tick
  private static final Duration SLACK = Duration.ofMillis(100);

  private final FleetId fleet;
  private final MetricsScraper scraper;
  private final AutoscalerMetrics metrics;
  private volatile AutoscaleSpec spec;
  private AutoscaleSpec policySpec;
  private ScalingPolicy policy;
  private final CounterRates rates = new CounterRates();
  private int current;
  private volatile Instant lastStarted;
  private volatile ScaleDecision decision;

  FleetAutoscaler(FleetId fleet, MetricsScraper scraper, AutoscalerMetrics metrics, AutoscaleSpec spec, int initial) {
    this.fleet = fleet;
    this.scraper = scraper;
    this.metrics = metrics;
    this.spec = spec;
    this.current = initial;
  }

  void update(AutoscaleSpec spec) {
    this.spec = spec;
  }

  /** The latest decision, or null before the first. */
  ScaleDecision decision() {
    return decision;
  }

  /** Whether a round may start now (the supervisor runs a settled fleet only when one is due). */
  boolean due(Instant now) {
    Instant last = lastStarted;
    return last == null || !now.isBefore(last.plus(spec.tick()).minus(SLACK));
  }

  /**
   * Starts this tick's scrapes of the ready instances, or returns null when no decision is due.
   *
   * @param ready address of each ready instance by id (instances still booting are left out)
   */
  Round begin(Map<String, String> ready, Instant now) {
    AutoscaleSpec s = spec;
    // paced by when rounds start, not end: the scrapes' own latency must not stretch the tick
    if (!due(now)) {
      return null;
    }
    Map<String, CompletableFuture<MetricsScraper.Scrape>> scrapes = new HashMap<>();
    ready.forEach((id, address) -> scrapes.put(id, scraper.scrape(address, s.source())));
    lastStarted = now;
    return new Round(scrapes, s, now, System.nanoTime());
  }

  /** Decides from the round's scrapes; those not finished by now count as missing. */
  ScaleDecision finish(Round round, Instant now) {
    AutoscaleSpec s = round.spec();
    if (!s.equals(policySpec)) {
      // new settings start with empty windows: old history was measured against other rules
      policy = s.newPolicy();
      policySpec = s;
    }
    MetricSample sample = sample(round, s.source());
    ScaleDecision d = policy.decide(sample, current, now);
    if (d.changed()) {
      metrics.scaled(fleet, d.desired() > d.previous() ? "up" : "down");
    }
    current = d.desired();
    decision = d;
    metrics.decided(fleet, s.source().label(), d, Duration.ofNanos(System.nanoTime() - round.startNanos()));
    return d;
  }

  private MetricSample sample(Round round, MetricSource source) {
    rates.retain(round.scrapes().keySet());
    int scraped = 0;
    int missing = 0;
    double sum = 0;
    for (var e : round.scrapes().entrySet()) {
      MetricsScraper.Scrape scrape = e.getValue().getNow(null);
      if (scrape == null || !scrape.ok()) {
        missing++;
        continue;
      }
      boolean counter = source.kind() == MetricSource.Kind.RATE
          || (source.kind() == MetricSource.Kind.AUTO && scrape.counter());
      OptionalDouble value = counter ? rates.rate(e.getKey(), scrape.value(), scrape.at())
          : OptionalDouble.of(scrape.value());
      if (value.isPresent()) {
        sum += value.getAsDouble() * source.scale();
        scraped++;
      }
    }
    metrics.scraped(fleet, round.scrapes().size() - missing, missing);
    return new MetricSample(round.scrapes().size(), scraped, sum, missing);
  }
}
