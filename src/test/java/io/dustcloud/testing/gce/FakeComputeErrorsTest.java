package io.dustcloud.testing.gce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.api.gax.rpc.NotFoundException;
import com.google.cloud.compute.v1.GetSerialPortOutputInstanceRequest;
import com.google.cloud.compute.v1.InstanceManagedByIgmError;
import com.google.cloud.compute.v1.ListErrorsInstanceGroupManagersRequest;
import com.google.cloud.compute.v1.ManagedInstance;
import com.google.cloud.compute.v1.SerialPortOutput;
import io.dustcloud.provider.DesiredFleet;
import io.dustcloud.provider.FleetId;
import io.dustcloud.provider.RevisionImage;
import io.dustcloud.provider.gce.GceProvider;
import io.dustcloud.provider.gce.GceSettings;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The fake's instance-level failures, read through Google's own clients: each failed creation
 * attempt kept in the group's {@code listErrors} (zonal and regional, newest first, bounded,
 * paged), a quiet mode where only that history tells the cause, and a serial console per VM
 * that honours {@code start} as GCE does. The fake runs on a clock of the test's.
 */
class FakeComputeErrorsTest {
  static final String STOCKOUT = "The zone 'projects/dustcloud-test/zones/europe-west1-b' does not have enough"
      + " resources available to fulfill the request.  Try a different zone, or try again later.";
  private final AtomicLong now = new AtomicLong(Instant.parse("2026-11-30T10:00:00Z").toEpochMilli());
  private final FakeCompute fake = new FakeCompute(now::get);
  private final GceProvider provider = GceTesting.provider(fake);
  private final FakeComputeClients gce = new FakeComputeClients(fake);
  private final FleetId fleet = new FleetId("default", "errs");

  @AfterEach
  void stop() {
    gce.close();
    provider.close();
    fake.close();
  }

  @Test
  void eachFailedCreationAttemptIsKeptNewestFirstBoundedAndPagedAndReadingItIsARead() {
    fake.failCreations("ZONE_RESOURCE_POOL_EXHAUSTED", STOCKOUT);
    provider.realize(DesiredFleet.single(fleet, GceTesting.image("r1", "v1"), 2));
    String group = name(fake.groupKeys().get(0));
    String template = fake.templateNames().get(0);
    fake.resetCounts();

    List<InstanceManagedByIgmError> first = errors(group);
    assertThat(first).hasSize(2).allSatisfy(e -> {
      assertThat(e.getError().getCode()).isEqualTo("ZONE_RESOURCE_POOL_EXHAUSTED");
      assertThat(e.getError().getMessage()).isEqualTo(STOCKOUT);
      assertThat(e.getInstanceActionDetails().getAction()).isEqualTo("CREATING");
      assertThat(e.getInstanceActionDetails().getInstance())
          .startsWith(FakeCompute.BASE + "projects/" + GceTesting.PROJECT + "/zones/" + GceTesting.ZONE + "/instances/");
      assertThat(e.getInstanceActionDetails().getVersion().getName()).isEqualTo(template);
      assertThat(e.getInstanceActionDetails().getVersion().getInstanceTemplate()).endsWith("/global/instanceTemplates/"
          + template);
      assertThat(Instant.parse(e.getTimestamp())).isEqualTo(Instant.ofEpochMilli(now.get()));
    });
    assertThat(fake.calls()).containsEntry("instanceGroupManagers.listErrors", 1L);
    assertThat(fake.mutatingCalls()).as("listErrors is a read").isZero();

    // GCE tries again every creationRetryMillis; each failed try is one more entry, the newest first
    now.addAndGet(fake.creationRetryMillis);
    listManaged(group);
    List<InstanceManagedByIgmError> second = errors(group);
    assertThat(second).hasSize(4);
    assertThat(Instant.parse(second.get(0).getTimestamp())).isAfter(Instant.parse(second.get(3).getTimestamp()));

    // a bounded history: the oldest go
    for (int i = 0; i < 60; i++) {
      now.addAndGet(fake.creationRetryMillis);
      listManaged(group);
    }
    List<InstanceManagedByIgmError> all = new ArrayList<>();
    gce.groups.listErrors(ListErrorsInstanceGroupManagersRequest.newBuilder().setProject(GceTesting.PROJECT)
        .setZone(GceTesting.ZONE).setInstanceGroupManager(group).setMaxResults(30).build()).iterateAll()
        .forEach(all::add);
    assertThat(all).as("kept: the newest %d, in pages of 30", FakeGroup.ERRORS_KEPT).hasSize(FakeGroup.ERRORS_KEPT);
    assertThat(Instant.parse(all.get(0).getTimestamp())).isEqualTo(Instant.ofEpochMilli(now.get()));
    assertThat(fake.calls().get("instanceGroupManagers.listErrors")).as("one call per page").isEqualTo(2L + 4);
  }

  @Test
  void aRegionalGroupKeepsItsErrorsToo() {
    fake.failCreations("QUOTA_EXCEEDED", "Quota 'CPUS' exceeded.  Limit: 8.0 in region europe-west1.");
    RevisionImage zonal = GceTesting.image("r1", "v1");
    GceSettings z = (GceSettings) zonal.settings();
    RevisionImage regional = new RevisionImage("r1", "virtio", zonal.artifact(), zonal.sha256(), zonal.bootArgs(),
        zonal.port(), new GceSettings(z.project(), null, "europe-west1", z.machineType(), null, null, null, z.tags(),
            z.labels(), z.loadBalancer()));
    provider.realize(DesiredFleet.single(fleet, regional, 1));

    List<InstanceManagedByIgmError> errors = new ArrayList<>();
    gce.regionGroups.listErrors(GceTesting.PROJECT, "europe-west1", name(fake.groupKeys().get(0))).iterateAll()
        .forEach(errors::add);
    assertThat(errors).singleElement().satisfies(e -> {
      assertThat(e.getError().getCode()).isEqualTo("QUOTA_EXCEEDED");
      assertThat(e.getInstanceActionDetails().getInstance()).contains("/zones/europe-west1-");
    });
    assertThat(fake.calls()).containsEntry("regionInstanceGroupManagers.listErrors", 1L);
  }

  /** GCE between two attempts: the instance is CREATING with no VM, no id, no lastAttempt; the history says why. */
  @Test
  void quietlyFailedCreationsShowOnlyInListErrors() {
    fake.failCreationsQuietly("ZONE_RESOURCE_POOL_EXHAUSTED", STOCKOUT);
    provider.realize(DesiredFleet.single(fleet, GceTesting.image("r1", "v1"), 1));
    String group = name(fake.groupKeys().get(0));

    assertThat(listManaged(group)).singleElement().satisfies(m -> {
      assertThat(m.getCurrentAction()).isEqualTo("CREATING");
      assertThat(m.getInstanceStatus()).isEmpty();
      assertThat(m.hasId()).as("no VM, no id").isFalse();
      assertThat(m.hasLastAttempt()).isFalse();
    });
    assertThat(errors(group)).singleElement().satisfies(e -> assertThat(e.getError().getMessage()).isEqualTo(STOCKOUT));
    String instance = listManaged(group).get(0).getName();
    assertThatThrownBy(() -> serial(instance, null)).as("no VM, no console").isInstanceOf(NotFoundException.class);

    fake.allowCreations();
    now.addAndGet(1000);
    assertThat(listManaged(group)).singleElement().satisfies(m -> {
      assertThat(m.getInstanceStatus()).isEqualTo("RUNNING");
      assertThat(m.hasId()).isTrue();
    });
  }

  @Test
  void everyVmHasItsOwnConsoleAndStartIsHonoured() throws Exception {
    provider.realize(DesiredFleet.single(fleet, GceTesting.image("r1", "v1"), 2));
    now.addAndGet(1000);
    List<ManagedInstance> managed = listManaged(name(fake.groupKeys().get(0)));
    String a = managed.get(0).getName();
    String b = managed.get(1).getName();

    SerialPortOutput all = serial(a, null);
    assertThat(all.getContents()).contains(a + " incarnation 1").contains("booting hello --version=v1")
        .contains("hello: " + a + " incarnation 1 listening on :8080").doesNotContain(b);
    assertThat(all.getStart()).isZero();
    assertThat(all.getNext()).isEqualTo(all.getContents().length());
    assertThat(all.getSelfLink()).endsWith("/zones/" + GceTesting.ZONE + "/instances/" + a + "/serialPort");
    assertThat(serial(b, null).getContents()).contains(b + " incarnation 1").doesNotContain(a);

    int total = all.getContents().length();
    assertThat(serial(a, 10L).getContents()).isEqualTo(all.getContents().substring(10));
    SerialPortOutput last = serial(a, -20L);
    assertThat(last.getContents()).as("a negative start counts back from the end")
        .isEqualTo(all.getContents().substring(total - 20));
    assertThat(last.getStart()).isEqualTo(total - 20);
    assertThat(serial(a, (long) total + 50).getContents()).isEmpty();

    // a recreated instance is a new VM with a console of its own
    fake.crashingTemplates.addAll(fake.templateNames());
    gce.groups.recreateInstancesAsync(com.google.cloud.compute.v1.RecreateInstancesInstanceGroupManagerRequest
        .newBuilder().setProject(GceTesting.PROJECT).setZone(GceTesting.ZONE)
        .setInstanceGroupManager(name(fake.groupKeys().get(0)))
        .setInstanceGroupManagersRecreateInstancesRequestResource(
            com.google.cloud.compute.v1.InstanceGroupManagersRecreateInstancesRequest.newBuilder()
                .addInstances(managed.get(0).getInstance()))
        .build()).get();
    now.addAndGet(1000);
    assertThat(serial(a, null).getContents()).contains(a + " incarnation 2").doesNotContain("incarnation 1")
        .contains("hello: invalid argument '--no-such-flag'")
        .contains("hello: panic: " + a + " incarnation 2 cannot start");
  }

  private List<InstanceManagedByIgmError> errors(String group) {
    List<InstanceManagedByIgmError> out = new ArrayList<>();
    gce.groups.listErrors(GceTesting.PROJECT, GceTesting.ZONE, group).iterateAll().forEach(out::add);
    return out;
  }

  private List<ManagedInstance> listManaged(String group) {
    List<ManagedInstance> out = new ArrayList<>();
    gce.groups.listManagedInstances(GceTesting.PROJECT, GceTesting.ZONE, group).iterateAll().forEach(out::add);
    return out;
  }

  private SerialPortOutput serial(String instance, Long start) {
    GetSerialPortOutputInstanceRequest.Builder r = GetSerialPortOutputInstanceRequest.newBuilder()
        .setProject(GceTesting.PROJECT).setZone(GceTesting.ZONE).setInstance(instance).setPort(1);
    if (start != null) {
      r.setStart(start);
    }
    return gce.instances.getSerialPortOutput(r.build());
  }

  private static String name(String groupKey) {
    return groupKey.substring(groupKey.lastIndexOf('/') + 1);
  }
}
