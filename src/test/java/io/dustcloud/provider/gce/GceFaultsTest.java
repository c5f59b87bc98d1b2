package io.dustcloud.provider.gce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dustcloud.provider.DesiredFleet;
import io.dustcloud.provider.FleetId;
import io.dustcloud.provider.InstanceState;
import io.dustcloud.provider.InstanceView;
import io.dustcloud.provider.ProviderException;
import io.dustcloud.testing.gce.FakeCompute;
import io.dustcloud.testing.gce.FakeFaults;
import io.dustcloud.testing.gce.GceTesting;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Fleets converge through transient faults, with no duplicates and nothing left after delete. */
class GceFaultsTest {
  private final FakeCompute fake = GceTesting.fake();
  private final GceProvider provider = GceTesting.provider(fake);

  @AfterEach
  void stop() {
    provider.close();
    fake.close();
  }

  @Test
  void fleetsConvergeWithTwentyPercentOfCallsFailingAndDeleteLeavesNothing() throws Exception {
    fake.faults.transientRate = 0.2;
    fake.faults.operationErrorRate = 0.05;
    List<FleetId> fleets = IntStream.range(0, 8).mapToObj(i -> new FleetId("ns" + i % 2, "app" + i)).toList();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (FleetId f : fleets) {
        done.add(pool.submit(() -> {
          realizeUntilSettled(DesiredFleet.single(f, GceTesting.image("r1", "v1"), 2));
          realizeUntilSettled(DesiredFleet.single(f, GceTesting.image("r2", "v2"), 3));
        }));
      }
      for (Future<?> d : done) {
        d.get();
      }
    } finally {
      pool.shutdown();
    }

    assertThat(fake.groupKeys()).hasSize(fleets.size()).doesNotHaveDuplicates();
    assertThat(fake.templateNames()).hasSize(2 * fleets.size());
    assertThat(fake.imageNames()).hasSize(2 * fleets.size());
    for (FleetId f : fleets) {
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(provider.observe(f).instances())
          .hasSize(3).allMatch(i -> i.revision().equals("r2") && i.state() == InstanceState.RUNNING));
    }

    for (FleetId f : fleets) {
      retrying(() -> provider.delete(f));
    }
    fake.faults.clear();
    assertThat(fake.groupKeys()).isEmpty();
    assertThat(fake.templateNames()).isEmpty();
    assertThat(fake.imageNames()).isEmpty();
  }

  @Test
  void aLostReplyIsNotASecondAction() {
    FleetId f = new FleetId("default", "lost");
    fake.faults.failNext("images.insert", 1, FakeFaults.Kind.DROP_AFTER_EFFECT);

    provider.realize(DesiredFleet.single(f, GceTesting.image("r1", "v1"), 2));

    // the image insert took effect, its reply was lost, the retry carried the same requestId
    assertThat(fake.calls()).containsEntry("images.insert", 2L).containsEntry("instanceTemplates.insert", 1L);
    assertThat(fake.imageNames()).hasSize(1);
  }

  @Test
  void manualChangesAreUndoneAndPersistentUnavailabilityIsRetryableWithGcesMessage() {
    FleetId f = new FleetId("default", "bad");
    provider.realize(DesiredFleet.single(f, GceTesting.image("r1", "v1"), 1));
    fake.resizeByHand(GceTesting.GROUP_SCOPE + "/" + GceNames.group(f), 5);
    fake.setTemplateByHand(GceTesting.GROUP_SCOPE + "/" + GceNames.group(f), "no-such-template-by-hand");

    // the group now names a template that does not exist: our patch back is valid, GCE accepts it
    provider.realize(DesiredFleet.single(f, GceTesting.image("r1", "v1"), 1));
    assertThat(fake.group(GceTesting.GROUP_SCOPE + "/" + GceNames.group(f)).path("targetSize").asInt()).isEqualTo(1);

    fake.faults.failNext(100, FakeFaults.Kind.UNAVAILABLE);
    try {
      provider.realize(DesiredFleet.single(f, GceTesting.image("r1", "v1"), 2));
      throw new AssertionError("expected a ProviderException");
    } catch (ProviderException e) {
      assertThat(e.retryable()).isTrue();
      assertThat(e.reason().value()).isEqualTo("GceBackendError");
      assertThat(e.getMessage()).contains("The service is currently unavailable.");
    }
    fake.faults.clear();
  }

  private void realizeUntilSettled(DesiredFleet desired) {
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(() -> {
      try {
        List<InstanceView> now = provider.realize(desired).instances();
        return now.size() == desired.total()
            && now.stream().allMatch(i -> desired.revisions().containsKey(i.revision()));
      } catch (ProviderException e) {
        assertThat(e.retryable()).as("only transient failures are injected: %s", e.getMessage()).isTrue();
        return false;
      }
    });
  }

  private static void retrying(Runnable action) {
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20)).until(() -> {
      try {
        action.run();
        return true;
      } catch (ProviderException e) {
        return false;
      }
    });
  }

  /**
   * The project's rate quota spent (the operator's budget set above it): GCE refuses with 403
   * rateLimitExceeded until the next window; the calls are retried with backoff and the fleet is
   * made once the window refills.
   */
  @Test
  void aSpentQuotaWindowIsWaitedOutNotReportedAsAFailure() {
    fake.quotaPerWindow = 3;
    fake.quotaWindowMillis = 300;
    io.dustcloud.provider.FleetObservation o = provider.realize(
        io.dustcloud.provider.DesiredFleet.single(new io.dustcloud.provider.FleetId("default", "quota"),
            GceTesting.image("quota-r1", "v1"), 2));
    assertThat(o.instances()).hasSize(2);
    assertThat(fake.quotaRefusals()).as("the quota did bind").isPositive();
  }
}
