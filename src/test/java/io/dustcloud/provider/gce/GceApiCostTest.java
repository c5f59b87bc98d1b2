package io.dustcloud.provider.gce;

import static org.assertj.core.api.Assertions.assertThat;

import io.dustcloud.provider.DesiredFleet;
import io.dustcloud.provider.FleetId;
import io.dustcloud.provider.InstanceState;
import io.dustcloud.provider.InstanceView;
import java.util.ArrayList;
import java.util.List;
import static org.awaitility.Awaitility.await;
import io.dustcloud.testing.MutableClock;
import io.dustcloud.testing.gce.FakeCompute;
import io.dustcloud.testing.gce.GceTesting;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What a fleet costs in Compute calls: three mutating calls to create, none at rest, bounded reads. */
class GceApiCostTest {
  private static final FleetId FLEET = new FleetId("default", "steady");
  private final FakeCompute fake = new FakeCompute();
  private final MutableClock clock = new MutableClock();
  private final GceProvider provider = GceTesting.provider(fake, 60_000, Duration.ofSeconds(10), clock);

  @AfterEach
  void stop() {
    provider.close();
    fake.close();
  }

  /** Image, template and group; health check and firewall rule; backend service, address and forwarding rule. */
  @Test
  void aNewFleetCostsEightMutatingCalls() {
    provider.realize(DesiredFleet.single(FLEET, GceTesting.image("r1", "v1"), 3));

    assertThat(fake.mutatingCalls()).as("%s", fake.calls()).isEqualTo(8);
    assertThat(fake.calls()).containsEntry("images.insert", 1L).containsEntry("instanceTemplates.insert", 1L)
        .containsEntry("instanceGroupManagers.insert", 1L).containsEntry("regionHealthChecks.insert", 1L)
        .containsEntry("firewalls.insert", 1L).containsEntry("regionBackendServices.insert", 1L)
        .containsEntry("addresses.insert", 1L).containsEntry("forwardingRules.insert", 1L);
  }

  /**
   * Without a load balancer: image, template, group, the autohealing health check and the
   * serving firewall rule — and no delete of a load balancer that never was.
   */
  @Test
  void aNewFleetWithoutLoadBalancerCostsFiveMutatingCalls() {
    provider.realize(GceTrafficTest.fleet(2, LoadBalancerSettings.NONE));

    assertThat(fake.mutatingCalls()).as("%s", fake.calls()).isEqualTo(5);
    assertThat(fake.calls()).containsEntry("images.insert", 1L).containsEntry("instanceTemplates.insert", 1L)
        .containsEntry("instanceGroupManagers.insert", 1L).containsEntry("regionHealthChecks.insert", 1L)
        .containsEntry("firewalls.insert", 1L);
  }

  /** The supervisor observes every second and the reconciler realizes every 30 s. */
  @Test
  void aFleetAtRestMakesNoMutatingCallsAndBoundedReads() {
    DesiredFleet desired = DesiredFleet.single(FLEET, GceTesting.image("r1", "v1"), 3);
    provider.realize(desired);
    assertThat(provider.realize(desired).instances()).hasSize(3).allMatch(i -> i.state() == InstanceState.RUNNING);
    fake.resetCounts();

    for (int second = 0; second < 60; second++) {
      clock.advance(Duration.ofSeconds(1));
      assertThat(provider.observe(FLEET).instances()).hasSize(3);
      if (second % 30 == 0) {
        provider.realize(desired);
      }
    }

    assertThat(fake.mutatingCalls()).isZero();
    // 6 listings (one per 10 s observe interval) + 2 group reads from the two realizes
    assertThat(fake.readCalls()).isLessThanOrEqualTo(8);
  }

  /**
   * Settled fleets cost the project one aggregated group listing per interval, whatever their
   * number: a fleet whose group the census shows stable and unchanged since its last listing is
   * not listed again, nor is its group read again by a resync's realize. Five censuses in six
   * list only the groups in motion (one page); the sixth lists all (here two per page: five
   * pages). A change (here a resize by hand) is listed at once.
   */
  @Test
  void settledFleetsCostOneCensusReadPerIntervalNotOneListingEach() {
    List<FleetId> ids = new ArrayList<>();
    List<DesiredFleet> desired = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      FleetId id = new FleetId("default", "settled-" + i);
      ids.add(id);
      DesiredFleet d = DesiredFleet.single(id, GceTesting.image("settled-" + i + "-r1", "v1"), 2);
      desired.add(d);
      provider.realize(d);
      assertThat(provider.realize(d).instances()).hasSize(2).allMatch(v -> v.state() == InstanceState.RUNNING);
    }
    // warm up: the census learns every group, each fleet lists once more with the group's fingerprint
    for (int round = 0; round < 3; round++) {
      intervalPasses(ids);
      desired.forEach(provider::realize);
    }
    fake.pageSize = 2;
    fake.resetCounts();

    for (int round = 1; round <= 6; round++) {
      intervalPasses(ids);
      desired.forEach(provider::realize); // the reconciler's resync
      long censuses = round;
      await().atMost(Duration.ofSeconds(30)).until(
          () -> fake.calls().getOrDefault("instanceGroupManagers.aggregatedList", 0L) >= censuses);
    }

    assertThat(fake.calls().getOrDefault("instanceGroupManagers.listManagedInstances", 0L))
        .as("no fleet listed on its own at rest: %s", fake.calls()).isZero();
    assertThat(fake.calls().getOrDefault("instanceGroupManagers.get", 0L))
        .as("no group read by a resync at rest: %s", fake.calls()).isZero();
    // five one-page listings of the groups in motion and one five-page listing of all (a seventh census may start)
    assertThat(fake.calls().get("instanceGroupManagers.aggregatedList")).isBetween(10L, 15L);
    assertThat(fake.mutatingCalls()).isZero();

    // one group changed: it alone is listed again
    String group = GceTesting.GROUP_SCOPE + "/" + GceNames.group(ids.get(3));
    fake.resizeByHand(group, 3);
    fake.resetCounts();
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      intervalPasses(ids);
      assertThat(provider.observe(ids.get(3)).instances()).hasSize(3);
    });
    assertThat(fake.calls().getOrDefault("instanceGroupManagers.listManagedInstances", 0L)).isBetween(1L, 2L);
  }

  /**
   * An observe interval passes while the supervisor observes every fleet; the census it starts
   * in the background lands before the next interval (on any machine: waited for, not slept).
   */
  private void intervalPasses(List<FleetId> ids) {
    clock.advance(Duration.ofSeconds(10));
    java.time.Instant now = clock.instant();
    ids.forEach(provider::observe);
    GceLocation at = GceLocation.of(GceTesting.image("any", "v1").settings());
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      ids.forEach(provider::observe);
      // asked of the census too: a fleet whose listing is fresh again (it re-listed) does not ask it
      ids.forEach(id -> provider.census().of(at, id));
      assertThat(provider.census().seenAt(GceTesting.PROJECT)).isNotNull().isAfterOrEqualTo(now);
    });
  }

  /** Drift is seen within one observe interval: the group read is reused that long. */
  @Test
  void driftIsCorrectedWithOneCallEach() {
    DesiredFleet desired = DesiredFleet.single(FLEET, GceTesting.image("r1", "v1"), 3);
    String group = realizedThenResizedByHand(desired, 7);

    clock.advance(Duration.ofSeconds(11));
    provider.realize(desired);

    // the operator chooses the 4 that leave (GCE would choose on a resize): one deleteInstances
    assertThat(fake.mutatingCalls()).as("%s", fake.calls()).isEqualTo(1);
    assertThat(fake.calls()).containsEntry("instanceGroupManagers.deleteInstances", 1L);
    assertThat(fake.group(group).path("targetSize").asInt()).isEqualTo(3);

    // a template set by hand does not set the group in motion: the next full census (within
    // GroupCensus.FULL_EVERY intervals) sees its new fingerprint
    fake.setTemplateByHand(group, GceNames.template(FLEET, "r1"));
    fake.resetCounts();
    for (int i = 0; i < GroupCensus.FULL_EVERY; i++) {
      intervalPasses(List.of(FLEET));
    }
    provider.realize(desired);
    // a PROACTIVE policy would let GCE roll instances behind the operator: patched back
    assertThat(fake.calls()).containsEntry("instanceGroupManagers.patch", 1L);
    assertThat(fake.mutatingCalls()).isEqualTo(1);
    assertThat(provider.realize(desired).instances()).extracting(InstanceView::revision).containsOnly("r1");
  }

  /**
   * A fleet reconciled every few seconds (booting, rolling out) reads its group once per observe
   * interval, not once per reconcile; a change of our own is always read back.
   */
  @Test
  void repeatedRealizesReuseTheGroupReadUntilSomethingChanges() {
    DesiredFleet desired = DesiredFleet.single(FLEET, GceTesting.image("r1", "v1"), 3);
    provider.realize(desired);
    provider.realize(desired); // reads back the group the first one created
    fake.resetCounts();

    for (int i = 0; i < 5; i++) {
      clock.advance(Duration.ofSeconds(1));
      provider.realize(desired);
    }
    assertThat(fake.calls()).doesNotContainKey("instanceGroupManagers.get");

    provider.realize(DesiredFleet.single(FLEET, GceTesting.image("r1", "v1"), 5));
    provider.realize(DesiredFleet.single(FLEET, GceTesting.image("r1", "v1"), 5));
    assertThat(fake.calls()).containsEntry("instanceGroupManagers.resize", 1L)
        .containsEntry("instanceGroupManagers.get", 1L);

    clock.advance(Duration.ofSeconds(11));
    provider.realize(DesiredFleet.single(FLEET, GceTesting.image("r1", "v1"), 5));
    assertThat(fake.calls()).containsEntry("instanceGroupManagers.get", 2L);
  }

  /**
   * The supervisor observes every fleet several times a second: an observation past the
   * interval is refreshed in the background while the last one is served, so a slow Compute
   * never holds the caller; one refresh at a time per fleet.
   */
  @Test
  void anAgedObservationIsServedWhileOneRefreshRunsInTheBackground() {
    DesiredFleet desired = DesiredFleet.single(FLEET, GceTesting.image("r1", "v1"), 3);
    provider.realize(desired);
    fake.resetCounts();
    fake.faults.hold = new java.util.concurrent.CountDownLatch(1); // Compute answers nothing until released
    clock.advance(Duration.ofSeconds(12));

    try {
      // twenty observations while Compute has not answered the refresh: none of them waited for
      // it (had one waited, the loop could not finish while the hold is closed), and all twenty
      // left that one refresh to run (its listing and the project's census read go out side by
      // side, in either order: at most one of each)
      java.util.concurrent.CompletableFuture<Void> observing = java.util.concurrent.CompletableFuture.runAsync(() -> {
        for (int i = 0; i < 20; i++) {
          assertThat(provider.observe(FLEET).instances()).hasSize(3);
        }
      });
      assertThat(observing).succeedsWithin(Duration.ofSeconds(60));
      await().atMost(Duration.ofSeconds(30))
          .until(() -> fake.calls().getOrDefault("instanceGroupManagers.aggregatedList", 0L) >= 1L);
      assertThat(fake.calls()).as("one census read in flight, unanswered")
          .containsEntry("instanceGroupManagers.aggregatedList", 1L);
      assertThat(fake.calls().getOrDefault("instanceGroupManagers.listManagedInstances", 0L))
          .as("at most one listing in flight, unanswered: %s", fake.calls()).isLessThanOrEqualTo(1L);
    } finally {
      fake.faults.release();
    }
    await().atMost(Duration.ofSeconds(30))
        .until(() -> fake.calls().getOrDefault("instanceGroupManagers.listManagedInstances", 0L) == 1L);
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      // once the refresh is in, the next interval starts from it: no second listing yet
      provider.observe(FLEET);
      assertThat(fake.calls()).containsEntry("instanceGroupManagers.listManagedInstances", 1L);
    });
  }

  /** Nobody observed the fleet for two intervals: the caller waits for a fresh listing. */
  @Test
  void aLongUnobservedFleetIsListedWhileTheCallerWaits() {
    DesiredFleet desired = DesiredFleet.single(FLEET, GceTesting.image("r1", "v1"), 3);
    realizedThenResizedByHand(desired, 4);
    clock.advance(Duration.ofSeconds(25));

    assertThat(provider.observe(FLEET).instances()).hasSize(4);
    assertThat(fake.calls()).containsEntry("instanceGroupManagers.listManagedInstances", 1L);
  }

  /** The fleet realized, then its group resized behind the operator's back; call counts reset. */
  private String realizedThenResizedByHand(DesiredFleet desired, int size) {
    provider.realize(desired);
    String group = GceTesting.GROUP_SCOPE + "/" + GceNames.group(FLEET);
    fake.resizeByHand(group, size);
    fake.resetCounts();
    return group;
  }

  /**
   * The budget is what was really sent: a listing of more groups than a page holds takes one
   * request per page, an operation that is not done at once is waited for (operations.wait), and
   * each of those is taken from the budget as well as the calls it granted — every request the
   * fake answered.
   */
  @Test
  void everyRequestSentIsTakenFromTheBudgetPagesAndPollsIncluded() {
    fake.pageSize = 2;
    fake.operationMillis = 700; // the first fleet's operations are waited for
    ClientComputeApi api = new ClientComputeApi(fake.endpoint(), com.google.api.gax.core.NoCredentialsProvider.create());
    FairRateLimiter budget = new FairRateLimiter(60_000);
    budget.settleAgainst(api::requests);
    GceConfig config = GceConfig.anonymous(fake.endpoint(), 60_000).withStorageEndpoint(fake.endpoint())
        .withObserveInterval(Duration.ZERO).withBackoff(GceTesting.FAST);
    try (GceProvider counted = new GceProvider(api, new GceCalls(budget, GceTesting.FAST, d -> Thread.sleep(d.toMillis())),
        config, java.time.Clock.systemUTC())) {
      for (int i = 0; i < 5; i++) {
        counted.realize(DesiredFleet.single(new FleetId("default", "paged-" + i),
            GceTesting.image("paged-" + i + "-r1", "v1"), 1));
        fake.operationMillis = 0;
      }
      // one operations.wait per operation that was not done at once (8: the first fleet's), never gax's polling
      assertThat(fake.calls().getOrDefault("operations.wait", 0L)).as("%s", fake.calls()).isBetween(1L, 8L);
      assertThat(fake.calls()).doesNotContainKey("operations.get");
      assertThat(budget.settled()).isPositive();
      everyAnsweredRequestIsInThe(budget);

      assertThat(api.listAllGroups(GceTesting.PROJECT, "")).as("five groups over three pages").hasSize(5);
      assertThat(fake.calls().get("instanceGroupManagers.aggregatedList")).isEqualTo(3L);
      everyAnsweredRequestIsInThe(budget);
    }
  }

  /** Background reads (the load balancer's view) may be in flight: equal once they are answered. */
  private void everyAnsweredRequestIsInThe(FairRateLimiter budget) {
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      long answered = fake.calls().values().stream().mapToLong(Long::longValue).sum();
      assertThat(budget.granted() + budget.settled()).as("%s", fake.calls()).isEqualTo(answered);
    });
  }
}
