package io.dustcloud.provider.gce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dustcloud.core.health.CrashLoopBackoff;
import io.dustcloud.provider.DesiredFleet;
import io.dustcloud.provider.FleetId;
import io.dustcloud.provider.InstanceState;
import io.dustcloud.provider.InstanceView;
import io.dustcloud.supervisor.ProbeSpec;
import io.dustcloud.supervisor.SupervisionSpec;
import io.dustcloud.supervisor.Supervisors;
import io.dustcloud.testing.MutableClock;
import io.dustcloud.testing.gce.FakeCompute;
import io.dustcloud.testing.gce.GceTesting;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * On GCE the crash-loop backoff is the supervisor's too: a VM whose unikernel exits is observed
 * FAILED, and {@code recreateInstances} follows the backoff, not every supervisor run.
 */
class GceCrashLoopTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String RECREATE = "instanceGroupManagers.recreateInstances";
  private static final String LIST = "instanceGroupManagers.listManagedInstances";
  private final FakeCompute fake = new FakeCompute();
  private final GceProvider provider = GceTesting.provider(fake);
  private final MutableClock clock = new MutableClock();
  private final Supervisors supervisors = new Supervisors(clock, Duration.ofMillis(100), new SimpleMeterRegistry());
  private final FleetId fleet = new FleetId("default", "crashing");

  @AfterEach
  void stop() {
    supervisors.close();
    provider.close();
    fake.close();
  }

  @Test
  void aVmThatExitsBeforeItIsReadyIsFailedAndRecreatedOnTheBackoff() {
    provider.realize(DesiredFleet.single(fleet, GceTesting.image("r1", "v1"), 1));
    fake.crashingTemplates.addAll(fake.templateNames());
    await().atMost(WAIT).untilAsserted(() -> assertThat(provider.observe(fleet).instances())
        .extracting(InstanceView::state).containsExactly(InstanceState.FAILED));
    assertThat(fake.group(fake.groupKeys().get(0)).path("instanceLifecyclePolicy").path("defaultActionOnFailure")
        .asText()).as("the group must not repair on its own").isEqualTo("DO_NOTHING");

    supervisors.supervise(fleet, SupervisionSpec.fixed(provider, ProbeSpec.http("/health", Duration.ofSeconds(1), 3), 1));
    await().atMost(WAIT).until(() -> recreates() == 1);
    for (int restart = 1; restart <= 3; restart++) {
      clock.advance(CrashLoopBackoff.delay(restart).minusMillis(1));
      runs(8);
      assertThat(recreates()).as("recreated before backoff %d ended", restart).isEqualTo(restart);
      clock.advance(Duration.ofMillis(1));
      int expected = restart + 1;
      await().atMost(WAIT).until(() -> recreates() == expected);
    }
    await().atMost(WAIT).untilAsserted(() -> {
      var health = supervisors.snapshot(fleet).health();
      assertThat(health.repairs()).isEqualTo(4);
      assertThat(health.crashLoops()).singleElement().satisfies(l -> {
        assertThat(l.restarts()).isEqualTo(4);
        // read from the serial console before the recreate
        assertThat(l.outputTail()).contains("hello: invalid argument '--no-such-flag'");
      });
    });
  }

  private long recreates() {
    return fake.calls().getOrDefault(RECREATE, 0L);
  }

  private void runs(int n) {
    long target = fake.calls().getOrDefault(LIST, 0L) + n;
    await().atMost(WAIT).until(() -> fake.calls().getOrDefault(LIST, 0L) >= target);
  }
}
