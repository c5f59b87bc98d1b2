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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The shared supervisor loop: one fleet's slow provider must not hold up the others. */
class SupervisorsTest {
  private final TestingFleetProvider provider = new TestingFleetProvider("testing");
  private final Supervisors supervisors = new Supervisors(Clock.systemUTC(), Duration.ofMillis(200), new SimpleMeterRegistry());
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
    RevisionImage image = new RevisionImage("r1", "unix", "/bin/true", null, List.of(), 8080, Map.of());
    for (int i = 0; i < 4; i++) {
      FleetId hung = new FleetId("default", "hung-" + i);
      provider.realize(DesiredFleet.single(hung, image, 1));
      provider.hangObserve.put(hung, release);
      supervisors.ensure(hung, provider, ProbeSpec.http("/health", Duration.ofSeconds(1), 3), 0);
    }
    await().pollDelay(Duration.ofMillis(500)).until(() -> true); // the hung ticks are stuck by now

    FleetId healthy = new FleetId("default", "healthy");
    provider.realize(DesiredFleet.single(healthy, image, 2));
    supervisors.ensure(healthy, provider, ProbeSpec.http("/health", Duration.ofSeconds(1), 3), 0);

    await().atMost(Duration.ofSeconds(10)).until(() -> supervisors.health(healthy).readyIds().size() == 2);
    assertThat(provider.ready(healthy)).hasSize(2);
    assertThat(supervisors.health(new FleetId("default", "hung-0")).readyIds()).isEmpty();
  }
}
