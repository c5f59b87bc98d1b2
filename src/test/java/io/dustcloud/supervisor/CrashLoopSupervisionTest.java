package io.dustcloud.supervisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dustcloud.core.health.CrashLoopBackoff;
import io.dustcloud.provider.DesiredFleet;
import io.dustcloud.provider.FleetId;
import io.dustcloud.provider.FleetObservation;
import io.dustcloud.provider.FleetProvider;
import io.dustcloud.provider.InstanceState;
import io.dustcloud.provider.InstanceView;
import io.dustcloud.testing.MutableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The repair loop is the one place a crashed instance is replaced, on kubelet's backoff: with
 * the supervisor's clock held still, no amount of runs replaces an instance before its time.
 * Runs are counted (observe calls), never timed.
 */
class CrashLoopSupervisionTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private final MutableClock clock = new MutableClock(T0);
  private final Supervisors supervisors = new Supervisors(clock, Duration.ofMillis(100), new SimpleMeterRegistry());
  private final FleetId fleet = new FleetId("default", "crashing");
  private final CrashingFleet provider = new CrashingFleet(fleet);

  @AfterEach
  void stop() {
    supervisors.close();
  }

  @Test
  void crashedInstancesAreReplacedOnlyWhenTheirBackoffEndsAndEveryReplacementIsCounted() {
    supervisors.supervise(fleet, SupervisionSpec.fixed(provider, ProbeSpec.http("/health", Duration.ofSeconds(1), 3), 1));

    // the first restart is at once
    await().atMost(WAIT).until(() -> provider.replaced.size() == 1);
    runs(20);
    assertThat(provider.replaced).as("replaced before the 1 s backoff ended").hasSize(1);
    FleetHealth health = supervisors.snapshot(fleet).health();
    assertThat(health.repairs()).as("status.restarts").isEqualTo(1);
    assertThat(health.crashLoops()).singleElement().satisfies(loop -> {
      assertThat(loop.revision()).isEqualTo("r1");
      assertThat(loop.restarts()).isEqualTo(1);
      assertThat(loop.instanceId()).isEqualTo("i0");
      assertThat(loop.nextAttempt()).isEqualTo(T0.plusSeconds(1));
      assertThat(loop.outputTail()).containsExactly("hello: invalid argument '--no-such-flag'");
      assertThat(loop.message()).contains("next attempt at 2026-01-01T00:00:01Z (in 1s)")
          .contains("invalid argument '--no-such-flag'");
    });
    assertThat(health.suspended()).as("a crash loop is retried, never suspended").isNull();

    // each restart doubles the wait; the message changes only then
    Duration elapsed = Duration.ZERO;
    for (int restart = 1; restart <= 6; restart++) {
      Duration delay = CrashLoopBackoff.delay(restart);
      clock.advance(delay.minusMillis(1));
      runs(10);
      assertThat(provider.replaced).as("restart %d before its %s backoff", restart + 1, delay).hasSize(restart);
      List<CrashLoop> before = supervisors.snapshot(fleet).health().crashLoops();
      runs(10);
      assertThat(supervisors.snapshot(fleet).health().crashLoops()).as("stable between restarts").isEqualTo(before);
      clock.advance(Duration.ofMillis(1));
      int expected = restart + 1;
      await().atMost(WAIT).until(() -> provider.replaced.size() == expected);
      elapsed = elapsed.plus(delay);
    }
    assertThat(supervisors.snapshot(fleet).health().repairs()).isEqualTo(7);
    await().atMost(WAIT).until(() -> supervisors.snapshot(fleet).health().crashLoops().get(0).restarts() == 7);
    assertThat(supervisors.snapshot(fleet).health().crashLoops().get(0).nextAttempt())
        .isEqualTo(T0.plus(elapsed).plus(CrashLoopBackoff.delay(7)));
  }

  /** Waits for {@code n} more supervisor runs. */
  private void runs(int n) {
    int target = provider.observed.get() + n;
    await().atMost(WAIT).until(() -> provider.observed.get() >= target);
  }

  /** One instance that has always just exited, before it was ever ready; a replacement exits too. */
  private static final class CrashingFleet implements FleetProvider {
    final List<String> replaced = new java.util.concurrent.CopyOnWriteArrayList<>();
    final AtomicInteger observed = new AtomicInteger();
    private final FleetId fleet;
    private volatile String current = "i0";
    private int next = 1;

    CrashingFleet(FleetId fleet) {
      this.fleet = fleet;
    }

    @Override
    public String name() {
      return "crashing";
    }

    @Override
    public FleetObservation observe(FleetId f) {
      observed.incrementAndGet();
      return new FleetObservation(fleet, List.of(
          new InstanceView(current, "r1", "127.0.0.1:1", InstanceState.FAILED, T0)), Optional.empty());
    }

    @Override
    public FleetObservation realize(DesiredFleet desired) {
      return observe(fleet);
    }

    @Override
    public synchronized void replace(FleetId f, Collection<String> ids) {
      replaced.addAll(ids);
      current = "i" + next++;
    }

    @Override
    public List<String> consoleTail(FleetId f, String instanceId, int lines, int bytes) {
      return List.of("hello: invalid argument '--no-such-flag'");
    }

    @Override
    public void delete(FleetId f) {}

    @Override
    public void release(FleetId f) {}
  }
}
