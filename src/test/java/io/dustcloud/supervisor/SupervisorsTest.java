package io.dustcloud.supervisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dustcloud.provider.DesiredFleet;
import io.dustcloud.provider.FleetId;
import io.dustcloud.provider.RevisionImage;
import io.dustcloud.testing.TestingFleetProvider;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.Collection;
import java.util.Optional;
import java.util.Set;
import java.time.Instant;
import io.dustcloud.core.health.HealthPolicy;
import io.dustcloud.provider.FleetObservation;
import io.dustcloud.provider.FleetProvider;
import io.dustcloud.provider.InstanceState;
import io.dustcloud.provider.InstanceView;
import io.dustcloud.testing.LoopbackHealth;
import io.micrometer.core.instrument.Timer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The shared supervisor loop: one fleet's slow provider must not hold up the others. */
class SupervisorsTest {
  private final TestingFleetProvider provider = new TestingFleetProvider("testing");
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final Supervisors supervisors = new Supervisors(Clock.systemUTC(), Duration.ofMillis(200), registry);
  private final CountDownLatch release = new CountDownLatch(1);

  @AfterEach
  void stop() {
    release.countDown();
    supervisors.close();
    provider.close();
  }

  /**
   * Ticks used to run on the two scheduler threads themselves: two fleets whose provider call
   * hung (a Compute listing waiting for the call budget) stopped every other fleet's probes.
   */
  @Test
  void fleetsWhoseProviderHangsDelayNoOtherFleet() {
    RevisionImage image = new RevisionImage("r1", "unix", "/bin/true", null, List.of(), 8080, io.dustcloud.provider.local.LocalSettings.DEFAULT);
    for (int i = 0; i < 4; i++) {
      FleetId hung = new FleetId("default", "hung-" + i);
      provider.realize(DesiredFleet.single(hung, image, 1));
      provider.hangObserve.put(hung, release);
      supervisors.supervise(hung, SupervisionSpec.fixed(provider, ProbeSpec.http("/health", Duration.ofSeconds(1), 3), 1));
    }
    await().pollDelay(Duration.ofMillis(500)).until(() -> true); // the hung ticks are stuck by now

    FleetId healthy = new FleetId("default", "healthy");
    provider.realize(DesiredFleet.single(healthy, image, 2));
    supervisors.supervise(healthy, SupervisionSpec.fixed(provider, ProbeSpec.http("/health", Duration.ofSeconds(1), 3), 2));

    await().atMost(Duration.ofSeconds(30)).until(() -> supervisors.snapshot(healthy).health().readyIds().size() == 2);
    assertThat(provider.ready(healthy)).hasSize(2);
    assertThat(supervisors.snapshot(new FleetId("default", "hung-0")).health().readyIds()).isEmpty();
  }

  /**
   * A settled fleet beats once per tick instead of four times (issue 20: idle cost); it must
   * still run every tick, so an instance that joins it is noticed, probed and made ready.
   */
  @Test
  void aSettledFleetStillNoticesANewInstance() {
    RevisionImage image = new RevisionImage("r1", "unix", "/bin/true", null, List.of(), 8080, io.dustcloud.provider.local.LocalSettings.DEFAULT);
    FleetId fleet = new FleetId("default", "settled");
    provider.realize(DesiredFleet.single(fleet, image, 1));
    supervisors.supervise(fleet, SupervisionSpec.fixed(provider, ProbeSpec.http("/health", Duration.ofSeconds(1), 3), 1));
    await().atMost(Duration.ofSeconds(30)).until(() -> supervisors.snapshot(fleet).health().readyIds().size() == 1);
    await().pollDelay(Duration.ofMillis(600)).until(() -> true); // a few ticks settled

    provider.realize(DesiredFleet.single(fleet, image, 2));

    await().atMost(Duration.ofSeconds(30)).until(() -> supervisors.snapshot(fleet).health().readyIds().size() == 2);
    assertThat(provider.ready(fleet)).hasSize(2);
  }

  /**
   * A repair calls the provider (seconds on GCE) and records an event. It used to run holding
   * the fleet's lock, so the results of the other instances' probes, which take that lock,
   * waited on shared threads until it was done; once the JDK common pool was bounded, the
   * Kubernetes client's calls queued behind them timed out (found by the health benchmark).
   */
  @Test
  void probeResultsAreTakenInWhileARepairIsUnderway() throws Exception {
    AtomicInteger probesOfA = new AtomicInteger();
    try (LoopbackHealth a = new LoopbackHealth("/", ex -> {
          ex.sendResponseHeaders(probesOfA.incrementAndGet() <= 2 ? 200 : 503, -1); // ready, then failing
          ex.close();
        });
        LoopbackHealth b = new LoopbackHealth("/", ex -> {
          sleepQuietly(300); // slow, so its probes are always in flight
          ex.sendResponseHeaders(200, -1);
          ex.close();
        })) {
      CompletableFuture<Boolean> probesTakenDuringRepair = new CompletableFuture<>();
      FleetId fleet = new FleetId("default", "repairing");
      FleetProvider provider = new StaticFleet(fleet, List.of(
          new InstanceView("a", "r1", a.address(), InstanceState.RUNNING, Instant.now()),
          new InstanceView("b", "r1", b.address(), InstanceState.RUNNING, Instant.now()))) {
        @Override
        public void replace(FleetId f, Collection<String> ids) {
          if (probesTakenDuringRepair.isDone()) {
            return;
          }
          long before = probesCompleted();
          // a wait limit for a slow host, not a speed bound: done at the first probe recorded
          long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
          while (probesCompleted() == before && System.nanoTime() < deadline) {
            sleepQuietly(20);
          }
          probesTakenDuringRepair.complete(probesCompleted() > before);
        }
      };
      HealthPolicy p = HealthPolicy.DEFAULT;
      ProbeSpec spec = new ProbeSpec(ProbeSpec.Kind.HTTP, "/health", 200, 399, Duration.ofMillis(200),
          Duration.ofSeconds(1), new HealthPolicy(1, 1, p.startupDeadline(), 1, 1.0, p.backoffBase(),
              p.backoffMax(), p.repairsWithoutRecovery()), "1");
      supervisors.supervise(fleet, SupervisionSpec.fixed(provider, spec, 2));

      assertThat(probesTakenDuringRepair.get(60, TimeUnit.SECONDS))
          .as("probe results recorded while the provider was replacing an instance").isTrue();
    }
  }

  private long probesCompleted() {
    return registry.find("dustcloud_probe_duration_seconds").timers().stream().mapToLong(Timer::count).sum();
  }

  private static void sleepQuietly(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** A fleet of fixed instances that does nothing when asked to change. */
  private static class StaticFleet implements FleetProvider {
    private final FleetId fleet;
    private final List<InstanceView> instances;

    StaticFleet(FleetId fleet, List<InstanceView> instances) {
      this.fleet = fleet;
      this.instances = instances;
    }

    @Override
    public String name() {
      return "static";
    }

    @Override
    public FleetObservation observe(FleetId f) {
      return new FleetObservation(fleet, instances, Optional.empty());
    }

    @Override
    public FleetObservation realize(DesiredFleet desired) {
      return observe(fleet);
    }

    @Override
    public void replace(FleetId f, Collection<String> ids) {}

    @Override
    public void updateReady(FleetId f, Set<String> ready) {}

    @Override
    public void delete(FleetId f) {}

    @Override
    public void release(FleetId f) {}
  }
}
