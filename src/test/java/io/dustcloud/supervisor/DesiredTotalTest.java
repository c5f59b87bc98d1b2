package io.dustcloud.supervisor;

import static org.assertj.core.api.Assertions.assertThat;

import io.dustcloud.core.autoscale.ScaleDecision;
import io.dustcloud.core.autoscale.ScaleLimits;
import io.dustcloud.core.autoscale.TargetTracking;
import io.dustcloud.provider.FleetId;
import io.dustcloud.testing.MutableClock;
import io.dustcloud.testing.TestingFleetProvider;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The supervisor's autoscaler is the one owner of a fleet's total: the total is seeded once, is
 * always within the current limits (new limits apply at once, not at the next round), and a
 * limit clamp is no metric decision. Deterministic: no supervisor runs, rounds are fed by hand.
 */
class DesiredTotalTest {
  private static final FleetId FLEET = new FleetId("default", "sized");
  private final MutableClock clock = new MutableClock();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final TestingFleetProvider provider = new TestingFleetProvider("testing");
  private final AtomicInteger wakeups = new AtomicInteger();

  @AfterEach
  void close() {
    provider.close();
  }

  static AutoscaleSpec limits(int min, int max) {
    MetricSource gauge = new MetricSource("concurrency", "inflight", MetricSource.Kind.GAUGE, 1, "/metrics", null,
        Duration.ofMillis(500));
    return new AutoscaleSpec(gauge, ScaleLimits.of(min, max), TargetTracking.Settings.of("concurrency", 10), null,
        Duration.ofSeconds(1));
  }

  private SupervisionSpec spec(AutoscaleSpec autoscale, int initialTotal) {
    return new SupervisionSpec(provider, ProbeSpec.DEFAULT, autoscale, null, 0, initialTotal);
  }

  private FleetAutoscaler autoscaler(AutoscaleSpec spec, int initialTotal) {
    return new FleetAutoscaler(FLEET, new MetricsScraper(clock), new AutoscalerMetrics(registry), clock, spec,
        initialTotal, wakeups::incrementAndGet);
  }

  /** A supervisor that is never run: what it reports comes from its settings alone. */
  private FleetSupervisor supervisor(SupervisionSpec spec) {
    SupervisorContext ctx = new SupervisorContext(FLEET, provider, new HttpProber(Runnable::run), clock,
        Duration.ofMillis(250), new SupervisorMetrics(registry), f -> wakeups.incrementAndGet());
    return new FleetSupervisor(ctx, spec, this::autoscaler);
  }

  static Stream<Arguments> owners() {
    return Stream.of(
        // name, autoscale at creation (null: fixed size), initialTotal, autoscale later, initialTotal later,
        // total after creation, total after the later supervise
        Arguments.of("a seed within the limits is kept", limits(1, 10), 4, limits(1, 10), 9, 4, 4),
        Arguments.of("a seed below min is raised at creation", limits(2, 10), 0, limits(2, 10), 0, 2, 2),
        Arguments.of("a seed above max is lowered at creation", limits(1, 10), 20, limits(1, 10), 20, 10, 10),
        Arguments.of("min raised from 1 to 3 applies at once", limits(1, 10), 1, limits(3, 10), 1, 1, 3),
        Arguments.of("max lowered from 10 to 4 applies at once", limits(1, 10), 8, limits(1, 4), 8, 8, 4),
        Arguments.of("min lowered keeps the total", limits(3, 10), 3, limits(1, 10), 1, 3, 3),
        Arguments.of("max raised keeps the total", limits(1, 4), 4, limits(1, 10), 10, 4, 4),
        Arguments.of("a later initialTotal changes nothing", limits(1, 10), 2, limits(1, 10), 7, 2, 2),
        Arguments.of("min 0 keeps an empty fleet empty", limits(0, 10), 0, limits(0, 10), 5, 0, 0),
        Arguments.of("a fixed-size fleet keeps its initial total", null, 7, null, 2, 7, 7),
        Arguments.of("a fixed fleet starts autoscaling from its total", null, 7, limits(1, 5), 2, 7, 5),
        Arguments.of("an autoscaled fleet stops at its last total", limits(3, 10), 1, null, 9, 3, 3));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("owners")
  void theSupervisorOwnsTheTotal(String name, AutoscaleSpec created, int initial, AutoscaleSpec later,
      int laterInitial, int totalAtCreation, int totalAfterUpdate) {
    FleetSupervisor s = supervisor(spec(created, initial));
    assertThat(s.snapshot().desiredTotal()).isEqualTo(totalAtCreation);

    s.update(spec(later, laterInitial));
    FleetSnapshot snapshot = s.snapshot();
    assertThat(snapshot.desiredTotal()).isEqualTo(totalAfterUpdate);
    assertThat(snapshot.decision()).as("no round ran: no decision").isNull();
    assertThat(snapshot.clampedByLimits()).isFalse();
    assertThat(wakeups).as("settings come from the reconciler: nobody is woken").hasValue(0);
  }

  @Test
  void aLimitClampIsNoDecisionAndTheNextRoundStartsFromIt() {
    AutoscaleSpec wide = limits(1, 10);
    FleetAutoscaler a = autoscaler(wide, 2);
    // two instances at 1 in flight, target 10: the metric asks for 1
    ScaleDecision metric = a.finish(round(wide, 1, 1), clock.instant());
    assertThat(metric.desired()).isEqualTo(1);
    assertThat(metric.cap()).isEqualTo(ScaleDecision.Cap.NONE);

    a.update(limits(3, 10));
    assertThat(a.total()).isEqualTo(3);
    assertThat(a.decision()).as("a limit change is no decision").isSameAs(metric);
    FleetSnapshot snapshot = new FleetSnapshot(FleetHealth.EMPTY, a.decision(), a.total());
    assertThat(snapshot.clampedByLimits()).isTrue();
    assertThat(snapshot.decision().cap()).as("a pure limit change is not a cap").isEqualTo(ScaleDecision.Cap.NONE);

    clock.advance(Duration.ofSeconds(1));
    ScaleDecision next = a.finish(round(limits(3, 10), 1, 1, 1), clock.instant());
    assertThat(next.previous()).as("the metric's next decision starts from the clamped total").isEqualTo(3);
    assertThat(next.desired()).isEqualTo(3);
    assertThat(next.recommended()).isLessThan(3);
    assertThat(next.cap()).as("the metric asked for fewer than min").isEqualTo(ScaleDecision.Cap.MIN);
    assertThat(new FleetSnapshot(FleetHealth.EMPTY, a.decision(), a.total()).clampedByLimits()).isFalse();
  }

  @Test
  void aRoundOutWhileTheLimitsChangeDecidesNothing() {
    AutoscaleSpec wide = limits(1, 10);
    FleetAutoscaler a = autoscaler(wide, 8);
    FleetAutoscaler.Round out = round(wide, 1, 1);
    a.update(limits(1, 4));
    assertThat(a.finish(out, clock.instant())).isNull();
    assertThat(a.total()).isEqualTo(4);
    assertThat(a.decision()).isNull();
  }

  @Test
  void aChangedDecisionWakesTheListenerALimitClampDoesNot() {
    FleetAutoscaler a = autoscaler(limits(1, 10), 2);
    a.run(Map.of()); // no ready instance: the round has nothing to wait for and decides at once
    assertThat(a.decision()).isNotNull();
    assertThat(wakeups).as("the first decision").hasValue(1);
    assertThat(a.idle()).as("the next round is a tick away").isTrue();

    a.update(limits(5, 10));
    assertThat(a.total()).isEqualTo(5);
    assertThat(wakeups).hasValue(1);

    clock.advance(Duration.ofSeconds(1));
    assertThat(a.idle()).isFalse();
    a.run(Map.of());
    assertThat(a.decision().previous()).isEqualTo(5);
    assertThat(a.total()).isEqualTo(5);
  }

  /** Through the public API: supervise, then read the snapshot. */
  @Test
  void supervisorsReportTheTotalWithinTheCurrentLimits() {
    try (Supervisors supervisors = new Supervisors(clock, Duration.ofHours(1), registry)) {
      assertThat(supervisors.snapshot(FLEET)).isEqualTo(FleetSnapshot.UNSUPERVISED);
      supervisors.supervise(FLEET, spec(limits(1, 10), 1));
      assertThat(supervisors.snapshot(FLEET).desiredTotal()).isEqualTo(1);
      supervisors.supervise(FLEET, spec(limits(3, 10), 9));
      assertThat(supervisors.snapshot(FLEET).desiredTotal()).isEqualTo(3);
      supervisors.supervise(FLEET, spec(limits(1, 2), 9));
      assertThat(supervisors.snapshot(FLEET).desiredTotal()).isEqualTo(2);
      supervisors.stop(FLEET);
      assertThat(supervisors.snapshot(FLEET)).isEqualTo(FleetSnapshot.UNSUPERVISED);
    }
  }

  /** A round of finished scrapes, one gauge value per instance. */
  private FleetAutoscaler.Round round(AutoscaleSpec spec, double... values) {
    Map<String, CompletableFuture<MetricsScraper.Scrape>> scrapes = new java.util.HashMap<>();
    for (int i = 0; i < values.length; i++) {
      scrapes.put("i" + i, CompletableFuture.completedFuture(
          new MetricsScraper.Scrape(values[i], false, clock.instant(), null)));
    }
    return new FleetAutoscaler.Round(scrapes, spec, System.nanoTime());
  }
}
