package io.dustcloud.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dustcloud.api.v1alpha1.Condition;
import io.dustcloud.api.v1alpha1.Unikernel;
import io.dustcloud.testing.EndToEnd;
import io.dustcloud.testing.Unikernels;
import io.dustcloud.testing.gce.FakeCompute;
import io.dustcloud.testing.gce.GceOperator;
import io.dustcloud.testing.gce.GceTesting;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each way GCE fails a fleet, as an SRE reads it: the condition (type, status, reason, message)
 * and the Event (reason, type, message), in GCE's own words — a zone out of capacity, a missing
 * permission on VM creation, a failure only the group's {@code listErrors} tells, an operation
 * that ends in error, and an instance that never becomes healthy (its own console in the
 * Event). One operator on the Compute fake serves every test; each test uses its own fleet.
 */
@EndToEnd
class GceFailuresOperatorTest {
  static final String NS = "default";
  static final Duration WAIT = Duration.ofSeconds(30);
  static final String STOCKOUT = "The zone 'projects/dustcloud-test/zones/europe-west1-b' does not have enough"
      + " resources available to fulfill the request.  Try a different zone, or try again later.";
  static final String PERMISSION = "Required 'compute.subnetworks.use' permission for"
      + " 'projects/dustcloud-test/regions/europe-west1/subnetworks/default' (when acting as"
      + " '123456789012@cloudservices.gserviceaccount.com')";
  static final String QUOTA = "Quota 'CPUS' exceeded.  Limit: 8.0 in region europe-west1.";
  static final String INVALID = "Invalid value for field 'resource.autoHealingPolicies[0].initialDelaySec': '3601'."
      + " Initial delay must be between 0 and 3600 seconds.";
  @TempDir static Path dir;
  static GceOperator gce;
  static KubernetesClient client;
  static FakeCompute fake;

  @BeforeAll
  static void start() throws Exception {
    gce = GceOperator.start(dir, 6000, Duration.ofSeconds(1));
    client = gce.client;
    fake = gce.fake;
  }

  @AfterAll
  static void stop() {
    gce.close();
  }

  @Test
  void aZoneOutOfCapacityIsZoneResourcesExhaustedInGcesWordsAndRecoversWhenCapacityReturns() {
    fake.failCreations("ZONE_RESOURCE_POOL_EXHAUSTED", STOCKOUT);
    try {
      client.resource(Unikernels.gce(NS, "stockout", GceTesting.PROJECT, GceTesting.ZONE, 2)).create();
      await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
        assertCondition("stockout", Conditions.DEGRADED, "True", "ZoneResourcesExhausted",
            "2 instance(s) cannot be created; ZONE_RESOURCE_POOL_EXHAUSTED: " + STOCKOUT
                + " (the provider keeps trying to create them)");
        // Ready and Reconciling name the cause too, not "instances starting"
        assertThat(condition("stockout", Conditions.READY).status).isEqualTo("False");
        assertThat(condition("stockout", Conditions.READY).reason).isEqualTo("ZoneResourcesExhausted");
        assertThat(condition("stockout", Conditions.READY).message).contains(STOCKOUT);
        assertThat(condition("stockout", Conditions.RECONCILING).status).isEqualTo("True");
        assertThat(condition("stockout", Conditions.RECONCILING).reason).isEqualTo("ZoneResourcesExhausted");
      });
      assertThat(events("stockout")).anySatisfy(warning("ZoneResourcesExhausted", STOCKOUT)).noneSatisfy(hungBoot());
    } finally {
      fake.allowCreations();
    }
    await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
      assertThat(condition("stockout", Conditions.READY).status).isEqualTo("True");
      assertCondition("stockout", Conditions.DEGRADED, "False", "InstancesHealthy", "");
    });
    delete("stockout");
  }

  /** GCE's code for a permission the VM's creation needs (a Shared VPC subnetwork, an image, a service account). */
  @Test
  void aPermissionMissingOnVmCreationIsPermissionDeniedInGcesWords() {
    fake.failCreations("PERMISSIONS_ERROR", PERMISSION);
    try {
      client.resource(Unikernels.gce(NS, "noperm", GceTesting.PROJECT, GceTesting.ZONE, 1)).create();
      await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> assertCondition("noperm", Conditions.DEGRADED,
          "True", "PermissionDenied", "1 instance(s) cannot be created; PERMISSIONS_ERROR: " + PERMISSION
              + " (the provider keeps trying to create them)"));
      assertThat(events("noperm")).anySatisfy(warning("PermissionDenied", PERMISSION)).noneSatisfy(hungBoot());
    } finally {
      fake.allowCreations();
    }
    delete("noperm");
  }

  /** The instances show only as CREATING without a VM: the group's error history is what tells the cause. */
  @Test
  void aFailureOnlyTheGroupsErrorsTellIsShownWithTheRightReasonAndGcesMessage() {
    fake.failCreationsQuietly("QUOTA_EXCEEDED", QUOTA);
    try {
      client.resource(Unikernels.gce(NS, "quiet", GceTesting.PROJECT, GceTesting.ZONE, 2)).create();
      await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> assertCondition("quiet", Conditions.DEGRADED,
          "True", "QuotaExceeded", "2 instance(s) cannot be created; QUOTA_EXCEEDED: " + QUOTA
              + " (the provider keeps trying to create them)"));
      assertThat(events("quiet")).anySatisfy(warning("QuotaExceeded", QUOTA)).noneSatisfy(hungBoot());
      assertThat(fake.calls().get("instanceGroupManagers.listErrors")).as("only listErrors could tell").isPositive();
    } finally {
      fake.allowCreations();
    }
    await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
      assertThat(condition("quiet", Conditions.READY).status).isEqualTo("True");
      assertCondition("quiet", Conditions.DEGRADED, "False", "InstancesHealthy", "");
    });
    delete("quiet");
  }

  /** The group's insert is accepted, and its operation ends with GCE's error: Stalled, GCE's code and message. */
  @Test
  void anOperationEndingInErrorStallsTheFleetWithGcesCodeAndMessage() {
    fake.faults.failNextOperations("instanceGroupManagers.insert", 1000, 400, "INVALID_FIELD_VALUE", INVALID);
    try {
      client.resource(Unikernels.gce(NS, "badop", GceTesting.PROJECT, GceTesting.ZONE, 1)).create();
      await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
        Condition stalled = condition("badop", Conditions.STALLED);
        assertThat(stalled.status).isEqualTo("True");
        assertThat(stalled.reason).isEqualTo("GceInvalidFieldValue");
        assertThat(stalled.message).startsWith("GCE instanceGroupManagers.insert ").contains("/dc-default-badop-")
            .endsWith(" for default/badop failed: INVALID_FIELD_VALUE: " + INVALID);
      });
      String message = condition("badop", Conditions.STALLED).message;
      assertThat(events("badop")).anySatisfy(e -> {
        assertThat(e.getReason()).isEqualTo("GceInvalidFieldValue");
        assertThat(e.getType()).isEqualTo("Warning");
        assertThat(e.getMessage()).isEqualTo(message);
      });
      assertThat(fake.groupKeys()).noneMatch(k -> k.contains("badop"));
    } finally {
      fake.faults.clear();
    }
    delete("badop");
  }

  /** A unikernel that exits at boot: the Event quotes the last lines of that instance's console, not another's. */
  @Test
  void anInstanceThatNeverBecomesHealthyIsReportedWithItsOwnConsole() {
    Unikernel uk = Unikernels.gce(NS, "crashing", GceTesting.PROJECT, GceTesting.ZONE, 2);
    uk.getSpec().bootArgs = List.of("--no-such-flag");
    client.resource(uk).create();
    Pattern said = Pattern.compile("is crash-looping: instance (\\S+) .*; last output: (.*)$");
    await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
      Condition degraded = condition("crashing", Conditions.DEGRADED);
      assertThat(degraded.status).isEqualTo("True");
      assertThat(degraded.reason).isEqualTo("CrashLoopBackOff");
      assertThat(said.matcher(degraded.message).find()).as(degraded.message).isTrue();
    });
    String group = fake.groupKeys().stream().filter(k -> k.contains("dc-default-crashing-")).findFirst().orElseThrow();
    List<String> instances = List.copyOf(fake.instanceTemplates(group).keySet());
    assertThat(instances).hasSize(2);
    assertThat(events("crashing")).anySatisfy(e -> {
      assertThat(e.getReason()).isEqualTo("CrashLoopBackOff");
      assertThat(e.getType()).isEqualTo("Warning");
      Matcher m = said.matcher(e.getMessage());
      assertThat(m.find()).as(e.getMessage()).isTrue();
      String self = m.group(1);
      String output = m.group(2);
      assertThat(instances).contains(self);
      assertThat(output).contains("hello: invalid argument '--no-such-flag'")
          .contains("hello: panic: " + self + " incarnation ");
      instances.stream().filter(other -> !other.equals(self))
          .forEach(other -> assertThat(output).as("another instance's console").doesNotContain(other));
    });
    delete("crashing");
  }

  private static Condition condition(String name, String type) {
    Unikernel uk = client.resources(Unikernel.class).inNamespace(NS).withName(name).get();
    Condition c = StatusConditions.find(uk.getStatus().conditions, type);
    assertThat(c).as(type + " of " + name).isNotNull();
    return c;
  }

  private static void assertCondition(String name, String type, String status, String reason, String message) {
    Condition c = condition(name, type);
    assertThat(c.status).as(type).isEqualTo(status);
    assertThat(c.reason).as(type).isEqualTo(reason);
    assertThat(c.message).as(type).isEqualTo(message);
  }

  private static List<Event> events(String name) {
    return client.v1().events().inNamespace(NS).list().getItems().stream()
        .filter(e -> name.equals(e.getInvolvedObject().getName())).toList();
  }

  private static Consumer<Event> warning(String reason, String gcesMessage) {
    return e -> {
      assertThat(e.getReason()).isEqualTo(reason);
      assertThat(e.getType()).isEqualTo("Warning");
      assertThat(e.getMessage()).contains(gcesMessage);
    };
  }

  /** Nothing may call an instance GCE could not create a hung boot or a crash. */
  private static Consumer<Event> hungBoot() {
    return e -> assertThat(e.getMessage()).containsAnyOf("hung", "startup deadline", "crash-looping");
  }

  private static void delete(String name) {
    client.resources(Unikernel.class).inNamespace(NS).withName(name).delete();
  }
}
