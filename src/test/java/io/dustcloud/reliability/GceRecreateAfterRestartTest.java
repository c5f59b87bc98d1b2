package io.dustcloud.reliability;

import io.dustcloud.testing.EndToEnd;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dustcloud.provider.DesiredFleet;
import io.dustcloud.provider.FleetId;
import io.dustcloud.provider.ProviderException;
import io.dustcloud.provider.gce.GceProvider;
import io.dustcloud.testing.gce.FakeCompute;
import io.dustcloud.testing.gce.GceTesting;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Finding of the crash harness (GCE, cycle 2 "create"): a fleet deleted and created again
 * under the same name by a restarted operator got its image and template inserts answered from
 * GCE's requestId memory (same intent, same body, generation 0 again after the restart), so
 * nothing was created; the group insert then failed on the missing template and the fleet
 * stalled for good. Now the missing template is noticed and the next attempt is a new request.
 */
@EndToEnd
class GceRecreateAfterRestartTest {
  final FakeCompute fake = GceTesting.fake();

  @AfterEach
  void stop() {
    fake.close();
  }

  @Test
  void aFleetDeletedAndCreatedAgainAfterARestartConverges() {
    FleetId f = new FleetId("default", "again");
    DesiredFleet desired = DesiredFleet.single(f, GceTesting.image("again-r1", "v1"), 2);
    try (GceProvider first = GceTesting.provider(fake)) {
      first.realize(desired);
      first.delete(f);
    }
    assertThat(fake.templateNames()).isEmpty();

    try (GceProvider restarted = GceTesting.provider(fake)) {
      await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).until(() -> {
        try {
          return restarted.realize(desired).instances().size() == 2;
        } catch (ProviderException e) {
          assertThat(e.retryable()).as("must not stall: %s", e.getMessage()).isTrue();
          return false;
        }
      });
    }
    assertThat(fake.templateNames()).hasSize(1);
    assertThat(fake.imageNames()).hasSize(1);
    assertThat(fake.groupKeys()).hasSize(1);
  }

  /**
   * Finding of the scale benchmark's crash run (GCE, seed 17723549086075, cycle 2 "delete"): the
   * restarted operator's group, template and image deletes repeated the ids of the previous
   * incarnation's deletes, GCE answered with those old operations, nothing was deleted and the
   * finalizer was removed: everything was left behind.
   */
  @Test
  void aFleetCreatedAgainAndDeletedByARestartedOperatorLeavesNothing() {
    FleetId f = new FleetId("default", "again");
    DesiredFleet desired = DesiredFleet.single(f, GceTesting.image("again-r1", "v1"), 1);
    for (int incarnation = 0; incarnation < 3; incarnation++) {
      try (GceProvider p = GceTesting.provider(fake)) {
        await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> p.realize(desired).instances().size() == 1);
      }
      try (GceProvider restarted = GceTesting.provider(fake)) {
        restarted.locate(f, io.dustcloud.provider.gce.GceSettings.at(GceTesting.PROJECT, GceTesting.ZONE, null));
        restarted.delete(f);
      }
      assertThat(fake.groupKeys()).as("incarnation %d", incarnation).isEmpty();
      assertThat(fake.templateNames()).as("incarnation %d", incarnation).isEmpty();
      assertThat(fake.imageNames()).as("incarnation %d", incarnation).isEmpty();
    }
  }
}
