package io.dustcloud.supervisor;

import io.dustcloud.core.autoscale.MetricSample;
import io.dustcloud.core.autoscale.ScaleDecision;
import io.dustcloud.core.autoscale.ScalingPolicy;
import io.dustcloud.provider.FleetId;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one owner of an autoscaled fleet's total. Once per autoscaling tick {@link #run} scrapes
 * the ready instances (asynchronously, like probes; a round still out is not overlapped); when
 * the scrapes are in (or timed out) the policy decides the total from their {@link MetricSample},
 * and a changed decision wakes the listener so the resize happens within the tick.
 *
 * <p>The total is always within the current limits: {@link #update} clamps it at once when the
 * limits change (a raised minimum is read from the very next snapshot, not after a round). Such
 * a clamp makes no decision: the latest decision stays the metric's, with the metric's cap, and
 * the next round starts from the clamped total.
 *
 * <p>Concurrency: one monitor guards the total, the decision and the policy (updates come from
 * the reconciler, decisions from an HTTP thread, reads from both); the settings and when the
 * last round started are volatile, so a beat can ask {@link #idle} without the lock; an atomic
 * flag keeps at most one round out.
 */
final class FleetAutoscaler {
  private static final Logger log = LoggerFactory.getLogger(FleetAutoscaler.class);

  /** Scrapes started by one round. */
  record Round(Map<String, CompletableFuture<MetricsScraper.Scrape>> scrapes, AutoscaleSpec spec, long startNanos) {
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
  private final Clock clock;
  private final Runnable onDecisionChange;
  private final CounterRates rates = new CounterRates();
  private final AtomicBoolean roundOut = new AtomicBoolean();
  private volatile AutoscaleSpec spec;
  private volatile Instant lastStarted;
  // guarded by this
  private AutoscaleSpec policySpec;
  private ScalingPolicy policy;
  private int total;
  private ScaleDecision decision;

  /**
   * @param initialTotal where the fleet starts (clamped to the limits)
   * @param onDecisionChange called when a round's decision changes the total or its cap
   */
  FleetAutoscaler(FleetId fleet, MetricsScraper scraper, AutoscalerMetrics metrics, Clock clock, AutoscaleSpec spec,
      int initialTotal, Runnable onDecisionChange) {
    this.fleet = fleet;
    this.scraper = scraper;
    this.metrics = metrics;
    this.clock = clock;
    this.onDecisionChange = onDecisionChange;
    this.spec = spec;
    this.total = spec.limits().clamp(initialTotal);
  }

  /** New settings; the total moves into new limits at once. */
  synchronized void update(AutoscaleSpec next) {
    spec = next;
    int clamped = next.limits().clamp(total);
    if (clamped != total) {
      log.info("fleet {}: desired {} -> {}: scaling bounds are now {}..{}", fleet, total, clamped,
          next.limits().min(), next.limits().max());
      total = clamped;
    }
  }

  /** The total the fleet should have now. */
  synchronized int total() {
    return total;
  }

  /** The latest metric decision, or null before the first. */
  synchronized ScaleDecision decision() {
    return decision;
  }

  /** Whether no round can start now: one is still out, or the last started less than a tick ago. */
  boolean idle() {
    return roundOut.get() || !due(clock.instant());
  }

  private boolean due(Instant now) {
    Instant last = lastStarted;
    return last == null || !now.isBefore(last.plus(spec.tick()).minus(SLACK));
  }

  /**
   * Starts a round of scrapes when one is due and none is out; its decision is made when they
   * are in, on the thread that completes the last one (or on timeout).
   *
   * @param ready address of each ready instance by id (instances still booting are left out)
   */
  void run(Map<String, String> ready) {
    // paced by when rounds start, not end: the scrapes' own latency must not stretch the tick
    Instant now = clock.instant();
    if (!due(now) || !roundOut.compareAndSet(false, true)) {
      return;
    }
    Round round;
    try {
      AutoscaleSpec s = spec;
      Map<String, CompletableFuture<MetricsScraper.Scrape>> scrapes = new HashMap<>();
      ready.forEach((id, address) -> scrapes.put(id, scraper.scrape(address, s.source())));
      lastStarted = now;
      round = new Round(scrapes, s, System.nanoTime());
    } catch (RuntimeException e) {
      roundOut.set(false);
      throw e;
    }
    long bound = round.spec().source().timeout().toMillis() + 200;
    CompletableFuture.allOf(round.futures())
        .completeOnTimeout(null, bound, TimeUnit.MILLISECONDS)
        .whenComplete((v, e) -> decide(round));
  }

  private void decide(Round round) {
    try {
      ScaleDecision before;
      ScaleDecision d;
      synchronized (this) {
        before = decision;
        d = finish(round, clock.instant());
      }
      if (d != null && (d.changed() || before == null || before.cap() != d.cap())) {
        log.info("fleet {}: desired {} -> {}: {}", fleet, d.previous(), d.desired(), d.reason());
        onDecisionChange.run();
      }
    } catch (RuntimeException e) {
      log.error("fleet {}: autoscaling decision failed", fleet, e);
    } finally {
      roundOut.set(false);
    }
  }

  /**
   * Decides from the round's scrapes; those not finished by now count as missing. A round
   * whose settings changed while it was out decides nothing (null): the next one is a tick away.
   */
  synchronized ScaleDecision finish(Round round, Instant now) {
    AutoscaleSpec s = round.spec();
    if (!s.equals(spec)) {
      return null;
    }
    if (!s.equals(policySpec)) {
      // new settings start with empty windows: old history was measured against other rules
      policy = s.newPolicy();
      policySpec = s;
    }
    MetricSample sample = sample(round, s.source());
    ScaleDecision d = policy.decide(sample, total, now);
    if (d.changed()) {
      metrics.scaled(fleet, d.desired() > d.previous() ? "up" : "down");
    }
    total = d.desired();
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
