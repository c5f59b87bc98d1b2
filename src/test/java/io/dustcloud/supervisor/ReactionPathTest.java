package io.dustcloud.supervisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.dustcloud.provider.DesiredFleet;
import io.dustcloud.provider.FleetId;
import io.dustcloud.provider.FleetObservation;
import io.dustcloud.provider.FleetProvider;
import io.dustcloud.provider.InstanceState;
import io.dustcloud.provider.InstanceView;
import io.dustcloud.testing.MutableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 20, reaction to served: a new instance is probed again on its own until its first pass
 * (it does not wait for the supervisor's next run), and a fleet its autoscaler wants larger is
 * not settled (its schedule keeps the full rate). Real probes against a loopback server; no
 * timed assertions (Awaitility waits generously).
 */
class ReactionPathTest {
  private static final FleetId FLEET = new FleetId("default", "react");
  private static final Duration WAIT = Duration.ofSeconds(30);
  private final MutableClock clock = new MutableClock();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final AtomicInteger probes = new AtomicInteger();
  /** Probes answered 503 before the instance "listens". */
  private volatile int failFirst;
  private HttpServer server;

  @BeforeEach
  void serve() throws Exception {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/health", ex -> {
      int n = probes.incrementAndGet();
      ex.sendResponseHeaders(n <= failFirst ? 503 : 200, -1);
      ex.close();
    });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private String address() {
    return "127.0.0.1:" + server.getAddress().getPort();
  }

  /** One running instance at the server's address. */
  private final class OneInstance implements FleetProvider {
    @Override
    public String name() {
      return "one";
    }

    @Override
    public FleetObservation observe(FleetId fleet) {
      return new FleetObservation(fleet,
          List.of(new InstanceView("i0", "r1", address(), InstanceState.RUNNING, Instant.EPOCH)), Optional.empty());
    }

    @Override
    public FleetObservation realize(DesiredFleet desired) {
      return observe(desired.fleet());
    }

    @Override
    public void replace(FleetId fleet, Collection<String> instanceIds) {}

    @Override
    public void delete(FleetId fleet) {}

    @Override
    public void release(FleetId fleet) {}
  }

  private SupervisorContext context() {
    return new SupervisorContext(FLEET, new OneInstance(), new HttpProber(Runnable::run), clock,
        Duration.ofMillis(250), new SupervisorMetrics(registry), f -> {});
  }

  @Test
  void aNewInstanceIsProbedAgainUntilItsFirstPassWithoutWaitingForARun() {
    failFirst = 3;
    AtomicBoolean ready = new AtomicBoolean();
    ProbeScheduler scheduler = new ProbeScheduler(context(), () -> ready.set(true));
    ProbeSpec probe = ProbeSpec.http("/health", Duration.ofSeconds(30), 3);

    // one run only: the three failures and the pass that follows come from the quick re-probes
    scheduler.startDue(new OneInstance().observe(FLEET), probe);

    await().atMost(WAIT).untilTrue(ready);
    assertThat(probes).as("three refused, then the pass").hasValue(4);
  }

  @Test
  void quickProbesStopAtTheirBoundForAnInstanceThatNeverAnswers() {
    failFirst = Integer.MAX_VALUE;
    ProbeScheduler scheduler = new ProbeScheduler(context(), () -> {});
    ProbeSpec probe = ProbeSpec.http("/health", Duration.ofSeconds(30), 3);

    scheduler.startDue(new OneInstance().observe(FLEET), probe);

    await().atMost(WAIT).until(() -> probes.get() >= 1 + ProbeScheduler.STARTUP_PROBES);
    // the bound spent, the next probe is the next run's: a run starts one, and no quick probes follow it
    scheduler.startDue(new OneInstance().observe(FLEET), probe);
    await().atMost(WAIT).until(() -> probes.get() >= 2 + ProbeScheduler.STARTUP_PROBES);
    assertThat(probes).hasValue(2 + ProbeScheduler.STARTUP_PROBES);
  }

  private FleetSupervisor supervisor(int total) {
    AutoscaleSpec autoscale = DesiredTotalTest.limits(1, 10);
    SupervisionSpec spec = new SupervisionSpec(new OneInstance(), ProbeSpec.http("/health", Duration.ofSeconds(30), 3),
        autoscale, null, 0, total);
    return new FleetSupervisor(context(), spec, (a, initial) ->
        new FleetAutoscaler(FLEET, new MetricsScraper(clock), new AutoscalerMetrics(registry), clock, a, initial, () -> {}));
  }

  @Test
  void aFleetAtItsTotalSettlesButOneItsAutoscalerWantsLargerDoesNot() {
    FleetSupervisor atTotal = supervisor(1);
    await().atMost(WAIT).until(() -> {
      atTotal.tick();
      return atTotal.settled();
    });

    FleetSupervisor wantsMore = supervisor(3);
    await().atMost(WAIT).until(() -> {
      wantsMore.tick();
      return wantsMore.snapshot().health().readyIds().size() == 1;
    });
    wantsMore.tick();
    assertThat(wantsMore.snapshot().desiredTotal()).isEqualTo(3);
    assertThat(wantsMore.settled()).as("its one instance is ready, but two more are wanted").isFalse();
  }
}
