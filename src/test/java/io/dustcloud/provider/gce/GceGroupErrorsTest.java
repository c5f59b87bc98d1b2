package io.dustcloud.provider.gce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.cloud.compute.v1.ManagedInstance;
import io.dustcloud.provider.CreationProblem;
import io.dustcloud.provider.DesiredFleet;
import io.dustcloud.provider.FleetId;
import io.dustcloud.provider.FleetObservation;
import io.dustcloud.provider.InstanceState;
import io.dustcloud.provider.InstanceView;
import io.dustcloud.provider.RevisionImage;
import io.dustcloud.testing.MutableClock;
import io.dustcloud.testing.gce.FakeCompute;
import io.dustcloud.testing.gce.GceTesting;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Instances GCE fails to create without saying so in their listing are explained by the group's
 * {@code listErrors} — read only while the fleet is behind, in the background, backing off —
 * and each instance's serial console is its own. Provider and fake share the test's clock.
 */
class GceGroupErrorsTest {
  static final FleetId FLEET = new FleetId("default", "web");
  static final Duration WAIT = Duration.ofSeconds(30);
  static final String STOCKOUT = "The zone 'projects/dustcloud-test/zones/europe-west1-b' does not have enough"
      + " resources available to fulfill the request.  Try a different zone, or try again later.";
  static final String LIST_ERRORS = "instanceGroupManagers.listErrors";
  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-30T10:00:00Z"));
  private final FakeCompute fake = new FakeCompute(clock::millis);
  private final GceProvider provider = GceTesting.provider(fake, 600_000, Duration.ZERO, clock);

  @AfterEach
  void stop() {
    provider.close();
    fake.close();
  }

  @Test
  void creationsFailingWithoutALastAttemptAreExplainedByTheGroupsErrorsOnceBehindThenReadsBackOffAndStop() {
    fake.failCreationsQuietly("ZONE_RESOURCE_POOL_EXHAUSTED", STOCKOUT);
    provider.realize(DesiredFleet.single(FLEET, GceTesting.image("web-r1", "v1"), 2));

    FleetObservation young = provider.observe(FLEET);
    assertThat(young.problems()).isEmpty();
    assertThat(young.instances()).hasSize(2).allMatch(i -> i.state() == InstanceState.STARTING);
    clock.advance(Duration.ofSeconds(1));
    provider.observe(FLEET);
    assertThat(listErrors()).as("within the threshold (2 s here) an instance without a VM may just be slow").isZero();

    clock.advance(Duration.ofSeconds(1));
    await().atMost(WAIT).untilAsserted(() -> assertThat(provider.observe(FLEET).problems()).hasSize(2));
    FleetObservation explained = provider.observe(FLEET);
    assertThat(explained.problems()).allSatisfy(p -> {
      assertThat(p.code()).isEqualTo("ZONE_RESOURCE_POOL_EXHAUSTED");
      assertThat(p.message()).isEqualTo(STOCKOUT);
    });
    assertThat(explained.problems()).extracting(CreationProblem::instance)
        .containsExactlyInAnyOrderElementsOf(fake.instanceTemplates(fake.groupKeys().get(0)).keySet());
    assertThat(explained.instances()).as("they do not exist: not booting, never a hung boot").isEmpty();
    assertThat(listErrors()).isEqualTo(1);
    for (int i = 0; i < 20; i++) {
      provider.observe(FLEET);
    }
    assertThat(listErrors()).as("observations do not read it: only time does").isEqualTo(1);

    // ten minutes stuck: reads at most at +1, +2, +4 … s, then every 5 minutes (GCE retries meanwhile);
    // observed every 10 s, that is about 10 reads in 60 observations (without backing off, 60)
    // (each observation lists the group here: observeInterval is zero)
    for (int s = 0; s < 60; s++) {
      clock.advance(Duration.ofSeconds(10));
      assertThat(provider.observe(FLEET).problems()).hasSize(2);
    }
    assertThat(listErrors()).as("backing off while nothing changes").isBetween(3L, 11L);

    fake.allowCreations();
    await().atMost(WAIT).untilAsserted(() -> {
      FleetObservation now = provider.observe(FLEET);
      assertThat(now.problems()).isEmpty();
      assertThat(now.instances()).hasSize(2).allMatch(i -> i.state() == InstanceState.RUNNING);
    });
    long reads = listErrors();
    for (int s = 0; s < 30; s++) {
      clock.advance(Duration.ofSeconds(20));
      provider.observe(FLEET);
    }
    assertThat(listErrors()).as("a fleet whose instances all have a VM never reads it").isEqualTo(reads);
  }

  @Test
  void aRegionalGroupsErrorsAreReadFromItsRegion() {
    fake.failCreationsQuietly("QUOTA_EXCEEDED", "Quota 'CPUS' exceeded.  Limit: 8.0 in region europe-west1.");
    RevisionImage zonal = GceTesting.image("web-r1", "v1");
    GceSettings z = (GceSettings) zonal.settings();
    RevisionImage regional = new RevisionImage(zonal.revision(), zonal.format(), zonal.artifact(), zonal.sha256(),
        zonal.bootArgs(), zonal.port(), new GceSettings(z.project(), null, "europe-west1", z.machineType(), null, null,
            null, z.tags(), z.labels(), z.loadBalancer()));
    provider.realize(DesiredFleet.single(FLEET, regional, 1));
    clock.advance(GroupErrors.MIN_THRESHOLD);
    await().atMost(WAIT).untilAsserted(() -> assertThat(provider.observe(FLEET).problems()).singleElement()
        .satisfies(p -> assertThat(p.code()).isEqualTo("QUOTA_EXCEEDED")));
    assertThat(fake.calls()).containsEntry("regionInstanceGroupManagers.listErrors", 1L).doesNotContainKey(LIST_ERRORS);
  }

  @Test
  void instancesWhoseLastAttemptSaysWhyNeedNoListErrors() {
    fake.failCreations("QUOTA_EXCEEDED", "Quota 'CPUS' exceeded.  Limit: 8.0 in region europe-west1.");
    provider.realize(DesiredFleet.single(FLEET, GceTesting.image("web-r1", "v1"), 2));
    for (int s = 0; s < 20; s++) {
      clock.advance(Duration.ofSeconds(3));
      assertThat(provider.observe(FLEET).problems()).hasSize(2);
    }
    assertThat(listErrors()).isZero();
  }

  /** The Event of an instance that crashed quotes its own console: each VM has its own. */
  @Test
  void eachInstancesConsoleTailIsItsOwn() {
    RevisionImage v1 = GceTesting.image("web-r1", "v1");
    RevisionImage crashing = new RevisionImage(v1.revision(), v1.format(), v1.artifact(), v1.sha256(),
        List.of("--no-such-flag"), v1.port(), v1.settings());
    provider.realize(DesiredFleet.single(FLEET, crashing, 2));
    await().atMost(WAIT).untilAsserted(() -> assertThat(provider.observe(FLEET).instances()).hasSize(2)
        .allMatch(i -> i.state() == InstanceState.FAILED));
    List<String> names = provider.observe(FLEET).instances().stream().map(InstanceView::id).toList();

    for (String self : names) {
      String other = names.get(1 - names.indexOf(self));
      List<String> tail = provider.consoleTail(FLEET, self, 5, 1024);
      assertThat(tail).contains("hello: invalid argument '--no-such-flag'")
          .contains("hello: panic: " + self + " incarnation 1 cannot start, exiting with status 1")
          .noneMatch(line -> line.contains(other));
    }
  }

  // ---- which entries count (pure) ----

  private static final Instant T0 = Instant.parse("2026-11-30T10:00:00Z");

  @Test
  void anEntryCountsOnlyForAnInstanceWithoutAVmAndNoOlderThanTheSlackBeforeItWasSeenSo() {
    GroupErrors.Watch w = new GroupErrors.Watch();
    w.withoutVm = Map.of("a", T0);
    w.listed = Set.of("a", "b");
    List<GroupErrors.Entry> entries = List.of(
        new GroupErrors.Entry("QUOTA_EXCEEDED", "newer", "a", T0.minus(Duration.ofSeconds(30))),
        new GroupErrors.Entry("STOCKOUT", "older", "a", T0.minus(Duration.ofSeconds(60))),
        new GroupErrors.Entry("QUOTA_EXCEEDED", "b has a VM", "b", T0),
        new GroupErrors.Entry("QUOTA_EXCEEDED", "not listed, group not short", "c", T0));
    assertThat(GroupErrors.problems(w, entries)).as("the newest entry per instance, only instances without a VM")
        .containsExactly(new CreationProblem("QUOTA_EXCEEDED", "a", "newer"));

    List<GroupErrors.Entry> stale = List.of(new GroupErrors.Entry("QUOTA_EXCEEDED", "an earlier incarnation's", "a",
        T0.minus(GroupErrors.SLACK).minusSeconds(1)));
    assertThat(GroupErrors.problems(w, stale)).isEmpty();
    assertThat(GroupErrors.problems(w, List.of(new GroupErrors.Entry("QUOTA_EXCEEDED", "no time", "a", null))))
        .isEmpty();

    w.shortSince = T0;
    assertThat(GroupErrors.problems(w, entries)).as("a group short of its target: instances it does not list count")
        .extracting(CreationProblem::instance).containsExactly("a", "c");
  }

  @Test
  void aListingNotesInstancesWithoutAVmAndNoLastAttemptAndWhetherTheGroupIsShort() {
    GroupErrors.Watch w = new GroupErrors.Watch();
    ManagedInstance quiet = ManagedInstance.newBuilder().setName("q").setCurrentAction("CREATING").build();
    ManagedInstance said = ManagedInstance.newBuilder().setName("s").setCurrentAction("CREATING")
        .setLastAttempt(com.google.cloud.compute.v1.ManagedInstanceLastAttempt.newBuilder().setErrors(
            com.google.cloud.compute.v1.ManagedInstanceLastAttemptErrors.newBuilder().addErrors(
                com.google.cloud.compute.v1.Errors.newBuilder()
                .setCode("QUOTA_EXCEEDED")))).build();
    ManagedInstance running = ManagedInstance.newBuilder().setName("r").setCurrentAction("NONE")
        .setInstanceStatus("RUNNING").build();
    ManagedInstance provisioning = ManagedInstance.newBuilder().setName("p").setCurrentAction("CREATING")
        .setInstanceStatus("PROVISIONING").build();
    var group = Optional.of(com.google.cloud.compute.v1.InstanceGroupManager.newBuilder().setTargetSize(5).build());

    GroupErrors.listed(w, List.of(quiet, said, running, provisioning), group, false, T0);
    assertThat(w.withoutVm).containsOnlyKeys("q");
    assertThat(w.shortSince).as("4 listed, 5 targeted").isEqualTo(T0);
    GroupErrors.listed(w, List.of(quiet, said, running, provisioning), group, false, T0.plusSeconds(5));
    assertThat(w.withoutVm).as("since it was first seen so").containsEntry("q", T0);
    assertThat(w.shortSince).isEqualTo(T0);
    GroupErrors.listed(w, List.of(quiet, said, running, provisioning), group, true, T0.plusSeconds(6));
    assertThat(w.shortSince).as("lastAttempt errors already say why").isNull();

    w.entries = List.of(new GroupErrors.Entry("QUOTA_EXCEEDED", "m", "q", T0));
    GroupErrors.listed(w, List.of(running), Optional.empty(), false, T0.plusSeconds(7));
    assertThat(w.withoutVm).isEmpty();
    assertThat(w.entries).as("nothing behind: what was read is forgotten").isEmpty();
  }

  private long listErrors() {
    return fake.calls().getOrDefault(LIST_ERRORS, 0L);
  }
}
