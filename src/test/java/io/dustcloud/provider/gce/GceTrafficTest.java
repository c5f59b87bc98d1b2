package io.dustcloud.provider.gce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.dustcloud.provider.DesiredFleet;
import io.dustcloud.provider.FleetId;
import io.dustcloud.provider.FleetObservation;
import io.dustcloud.provider.FleetService;
import io.dustcloud.provider.InstanceState;
import io.dustcloud.provider.InstanceView;
import io.dustcloud.provider.ProviderException;
import io.dustcloud.provider.RevisionImage;
import io.dustcloud.testing.gce.FakeCompute;
import io.dustcloud.testing.gce.FakeFaults;
import io.dustcloud.testing.gce.GceTesting;
import io.dustcloud.testing.gce.InstanceModes;
import io.dustcloud.testing.gce.KeepAliveClient;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A fleet's traffic path through the provider and the Compute fake, whose load balancer really
 * forwards to instance servers on their internal addresses: made, served through, gated on the
 * load balancer's own check, drained on scale-in, adopted after a restart, changed in kind,
 * refused with GCE's words, and deleted or orphaned without leaks.
 */
class GceTrafficTest {
  static final FleetId FLEET = new FleetId("default", "web");
  static final Duration WAIT = Duration.ofSeconds(30);
  final FakeCompute fake = GceTesting.fake();
  GceProvider provider = provider();

  GceProvider provider() {
    fake.healthCheckTimeScale = 0.2;
    return GceTesting.provider(fake, 60_000, Duration.ZERO, Clock.systemUTC(), List.of("10.8.0.0/14"));
  }

  @AfterEach
  void stop() {
    provider.close();
    fake.close();
  }

  static DesiredFleet fleet(int replicas, LoadBalancerSettings lb) {
    RevisionImage image = GceTesting.image("web-r1", "v1");
    GceSettings s = GceSettings.of(image.settings());
    GceSettings withLb = new GceSettings(s.project(), s.zone(), s.region(), s.machineType(), s.network(),
        s.subnetwork(), s.serviceAccount(), s.tags(), s.labels(), lb);
    return new DesiredFleet(FLEET, Map.of("web-r1", new DesiredFleet.Target(image, replicas)),
        new FleetService(8080, null, new FleetService.Check("/health", 1, 1, 1, 2, 60), withLb));
  }

  /** Realizes until every instance runs, tells the provider they are ready, and waits for the load balancer. */
  FleetObservation serving(DesiredFleet desired) {
    FleetObservation[] last = new FleetObservation[1];
    await().atMost(WAIT).untilAsserted(() -> {
      FleetObservation o = provider.realize(desired);
      o = provider.observe(FLEET);
      provider.updateReady(FLEET, o.instances().stream().map(InstanceView::id).collect(Collectors.toSet()));
      last[0] = o;
      assertThat(o.instances()).hasSize(desired.total()).allMatch(i -> i.state() == InstanceState.RUNNING);
      assertThat(o.outOfRotation()).as("instances not yet in the load balancer's rotation").isEmpty();
      assertThat(o.endpoint()).isPresent();
    });
    return last[0];
  }

  @Test
  void aFleetIsServedThroughItsLoadBalancerOnlyByInstancesInRotation() throws Exception {
    fake.bootMillis = 2000; // the load balancer's check cannot pass before the first assertion
    DesiredFleet desired = fleet(2, LoadBalancerSettings.DEFAULT);
    FleetObservation first = provider.realize(desired);
    assertThat(first.endpoint()).as("the forwarding rule's reserved address").isPresent();
    assertThat(provider.observe(FLEET).outOfRotation()).as("no instance passed the load balancer's check yet")
        .containsExactlyInAnyOrderElementsOf(first.instances().stream().map(InstanceView::id).toList());

    FleetObservation o = serving(desired);
    String endpoint = o.endpoint().orElseThrow();
    assertThat(o.instances()).allMatch(i -> i.address().matches("127\\.1\\.\\d+\\.\\d+:8080"), "an internal IP");
    try (KeepAliveClient c = KeepAliveClient.of(endpoint)) {
      for (int i = 0; i < 20; i++) {
        assertThat(c.get("/").status()).isEqualTo(200);
      }
    }
    // what was made, as GCE holds it
    JsonNode serve = fake.firewalls().get(TrafficModel.serveFirewallName(FLEET));
    assertThat(serve.path("sourceRanges").toString()).contains("35.191.0.0/16", "130.211.0.0/22", "0.0.0.0/0");
    assertThat(serve.path("targetTags").get(0).asText()).isEqualTo(TrafficModel.networkTag(FLEET));
    assertThat(fake.firewalls().get(TrafficModel.operatorFirewallName(FLEET)).path("sourceRanges").toString())
        .contains("10.8.0.0/14");
    JsonNode group = fake.group(GceTesting.GROUP_SCOPE + "/" + GceNames.group(FLEET));
    assertThat(group.path("autoHealingPolicies").get(0).path("healthCheck").asText())
        .endsWith("/" + TrafficModel.healthCheckName(FLEET));
    assertThat(group.path("autoHealingPolicies").get(0).path("initialDelaySec").asInt()).isEqualTo(60);
    assertThat(group.path("namedPorts").get(0).path("port").asInt()).isEqualTo(8080);
    assertThat(group.path("instanceLifecyclePolicy").path("onFailedHealthCheck").asText()).isEqualTo("REPAIR");
    assertThat(group.path("instanceLifecyclePolicy").path("defaultActionOnFailure").asText()).isEqualTo("DO_NOTHING");
    assertThat(fake.backendServices().get(TrafficModel.backendServiceName(FLEET))
        .path("connectionDraining").path("drainingTimeoutSec").asInt()).isEqualTo(30);
    assertThat(fake.template(GceNames.template(FLEET, "web-r1")).path("properties").path("tags").path("items")
        .toString()).contains(TrafficModel.networkTag(FLEET));
  }

  /**
   * The operator's probes pass both instances (as when the firewall admits the operator but not
   * Google's checkers to one of them), the load balancer only one: the other is out of rotation,
   * so it does not count as serving, and the provider keeps reading the load balancer's view
   * while the two disagree.
   */
  @Test
  void anInstanceTheLoadBalancersCheckDoesNotPassStaysOutOfRotation() {
    fake.bootMillis = 3000; // no server answers before the mode is set
    DesiredFleet desired = fleet(2, LoadBalancerSettings.DEFAULT);
    List<InstanceView> two = provider.realize(desired).instances();
    String sick = two.get(0).id();
    fake.instanceModes().setMode(sick, InstanceModes.Mode.FAILING);
    await().atMost(WAIT).untilAsserted(() -> {
      provider.realize(desired);
      provider.updateReady(FLEET, Set.of(two.get(0).id(), two.get(1).id()));
      assertThat(provider.observe(FLEET).outOfRotation()).containsExactly(sick);
    });
    long reads = fake.calls().getOrDefault("regionBackendServices.getHealth", 0L);
    await().atMost(WAIT).untilAsserted(() -> {
      provider.observe(FLEET);
      assertThat(fake.calls().getOrDefault("regionBackendServices.getHealth", 0L)).isGreaterThan(reads);
    });
  }

  /** A rollout's surge instance, of the new revision, enters the rotation like any other. */
  @Test
  void aNewRevisionsInstanceEntersTheRotation() {
    serving(fleet(2, LoadBalancerSettings.DEFAULT));
    RevisionImage v2 = GceTesting.image("web-r2", "v2");
    DesiredFleet split = new DesiredFleet(FLEET, new java.util.LinkedHashMap<>(Map.of(
        "web-r2", new DesiredFleet.Target(v2, 1))) {
      {
        put("web-r1", new DesiredFleet.Target(GceTesting.image("web-r1", "v1"), 2));
      }
    }, fleet(2, LoadBalancerSettings.DEFAULT).service());
    await().atMost(WAIT).untilAsserted(() -> {
      provider.realize(split);
      FleetObservation o = provider.observe(FLEET);
      assertThat(o.instances()).as("%s", o).hasSize(3).allMatch(i -> i.state() == InstanceState.RUNNING);
      assertThat(o.outOfRotation()).as("%s", o).isEmpty();
    });
  }

  /**
   * GCE's autohealing (the backstop) recreates an instance that fails the check; the operator,
   * asked to replace the same instance meanwhile, does not recreate it a second time.
   */
  @Test
  void theOperatorDoesNotReplaceAnInstanceGcesAutohealingIsRecreating() {
    DesiredFleet desired = new DesiredFleet(FLEET, fleet(2, LoadBalancerSettings.DEFAULT).revisions(),
        new FleetService(8080, null, new FleetService.Check("/health", 1, 1, 1, 2, 1),
            fleet(2, new LoadBalancerSettings(LoadBalancerSettings.Type.EXTERNAL, null, null, 10)).service().settings()));
    FleetObservation o = serving(desired);
    String hung = o.instances().get(0).id();
    fake.instanceModes().setMode(hung, InstanceModes.Mode.HUNG);
    await().atMost(WAIT).until(() -> fake.autohealed() >= 1);
    await().atMost(WAIT).untilAsserted(() -> assertThat(provider.observe(FLEET).instances())
        .filteredOn(i -> i.id().equals(hung)).singleElement()
        .satisfies(i -> assertThat(i.state()).isEqualTo(InstanceState.STARTING)));
    fake.resetCounts();

    provider.replace(FLEET, List.of(hung));

    assertThat(fake.calls()).doesNotContainKey("instanceGroupManagers.recreateInstances");
  }

  /**
   * A guest without ACPI power-off takes up to 90 s to stop: a rollout step removes the old
   * instance with deleteInstances and creates the new one from a resize at once, so the new
   * revision's instance exists while the old guest is still stopping (a recreation by name would
   * wait for it).
   */
  @Test
  void aRolloutStepDoesNotWaitForTheOldGuestToStop() {
    fake.guestShutdownMillis = 20_000;
    FleetObservation v1 = serving(fleet(1, LoadBalancerSettings.DEFAULT));
    DesiredFleet v2 = DesiredFleet.single(FLEET, GceTesting.image("web-r2", "v2"), 1);
    FleetObservation after = provider.realize(new DesiredFleet(FLEET, v2.revisions(),
        fleet(1, LoadBalancerSettings.DEFAULT).service()));
    assertThat(after.instances()).singleElement().satisfies(i -> {
      assertThat(i.revision()).isEqualTo("web-r2");
      assertThat(i.id()).isNotEqualTo(v1.instances().get(0).id());
    });
    assertThat(fake.draining(GceTesting.GROUP_SCOPE + "/" + GceNames.group(FLEET)))
        .as("the old guest is still stopping").containsKey(v1.instances().get(0).id());
    assertThat(fake.calls()).doesNotContainKey("instanceGroupManagers.recreateInstances");
  }

  @Test
  void scaleInRemovesTheInstancesTheOperatorChoosesWithDeleteInstances() {
    FleetObservation three = serving(fleet(3, LoadBalancerSettings.DEFAULT));
    String notReady = three.instances().get(1).id();
    provider.updateReady(FLEET, three.instances().stream().map(InstanceView::id)
        .filter(id -> !id.equals(notReady)).collect(Collectors.toSet()));
    fake.resetCounts();

    FleetObservation one = provider.realize(fleet(1, LoadBalancerSettings.DEFAULT));

    assertThat(fake.calls()).containsEntry("instanceGroupManagers.deleteInstances", 1L)
        .doesNotContainKey("instanceGroupManagers.resize").doesNotContainKey("instanceGroupManagers.recreateInstances");
    assertThat(one.instances()).hasSize(1);
    assertThat(one.instances()).extracting(InstanceView::id).doesNotContain(notReady)
        .as("the oldest ready instance stays").containsExactly(three.instances().get(0).id());
    assertThat(fake.draining(GceTesting.GROUP_SCOPE + "/" + GceNames.group(FLEET)).keySet())
        .as("leaving instances drain").contains(notReady);
  }

  @Test
  void aRestartedProviderAdoptsTheTrafficPathWithoutAMutatingCall() {
    DesiredFleet desired = fleet(2, LoadBalancerSettings.DEFAULT);
    String endpoint = serving(desired).endpoint().orElseThrow();
    provider.close();
    provider = provider();
    fake.resetCounts();

    FleetObservation again = provider.realize(desired);

    assertThat(fake.mutatingCalls()).as("%s", fake.calls()).isZero();
    assertThat(again.endpoint()).contains(endpoint);
    fake.resetCounts();
    provider.realize(desired);
    assertThat(fake.calls().keySet()).as("once adopted, the traffic path is not read again")
        .noneMatch(m -> m.startsWith("regionHealthChecks") || m.startsWith("firewalls") || m.startsWith("addresses")
            || m.startsWith("forwardingRules") || m.equals("regionBackendServices.get"));
  }

  @Test
  void changingTheKindOfLoadBalancerRemakesWhatCannotBeChangedAndNoneRemovesIt() {
    String external = serving(fleet(1, LoadBalancerSettings.DEFAULT)).endpoint().orElseThrow();
    LoadBalancerSettings internal = new LoadBalancerSettings(LoadBalancerSettings.Type.INTERNAL, null, null, 5);
    FleetObservation o = provider.realize(fleet(1, internal));
    assertThat(o.endpoint()).isPresent().isNotEqualTo(java.util.Optional.of(external));
    assertThat(fake.backendServices().get(TrafficModel.backendServiceName(FLEET)).path("loadBalancingScheme").asText())
        .isEqualTo("INTERNAL");
    assertThat(fake.addresses().get(TrafficModel.addressName(FLEET)).path("addressType").asText()).isEqualTo("INTERNAL");

    FleetObservation none = provider.realize(fleet(1, LoadBalancerSettings.NONE));
    assertThat(none.endpoint()).isEmpty();
    assertThat(fake.backendServices()).isEmpty();
    assertThat(fake.forwardingRules()).isEmpty();
    assertThat(fake.addresses()).isEmpty();
    assertThat(fake.healthChecks()).as("autohealing keeps its check").containsKey(TrafficModel.healthCheckName(FLEET));
  }

  @Test
  void aRefusedFirewallIsReportedInGcesWordsAndNotRetried() {
    fake.faults.failNext("firewalls.insert", 1, FakeFaults.Kind.PERMISSION_DENIED);
    assertThatThrownBy(() -> provider.realize(fleet(1, LoadBalancerSettings.DEFAULT)))
        .isInstanceOfSatisfying(ProviderException.class, e -> {
          assertThat(e.retryable()).isFalse();
          assertThat(e.getMessage()).contains("firewalls.insert").contains("compute.firewalls.create");
        });
    assertThat(fake.calls()).containsEntry("firewalls.insert", 1L);
  }

  @Test
  void deleteRemovesEveryResourceAndReleaseKeepsThem() {
    serving(fleet(2, LoadBalancerSettings.DEFAULT));
    FleetId other = new FleetId("default", "kept");
    provider.release(FLEET);
    provider.locate(FLEET, GceTesting.image("web-r1", "v1").settings());
    assertThat(fake.forwardingRules()).as("released: everything stays").isNotEmpty();

    provider.delete(FLEET);

    assertThat(fake.groupKeys()).isEmpty();
    assertThat(fake.healthChecks()).isEmpty();
    assertThat(fake.backendServices()).isEmpty();
    assertThat(fake.forwardingRules()).isEmpty();
    assertThat(fake.addresses()).isEmpty();
    assertThat(fake.firewalls()).isEmpty();
    assertThat(fake.templateNames()).isEmpty();
    assertThat(fake.imageNames()).isEmpty();
    assertThat(other).isNotNull();
  }

  @Test
  void aRegionalGroupStaysInItsZonesAndIsListedInOneAggregatedCall() {
    RevisionImage image = GceTesting.image("web-r1", "v1");
    GceSettings s = GceSettings.of(image.settings());
    GceSettings regional = new GceSettings(s.project(), null, "europe-west1", s.machineType(), s.network(), null,
        null, s.tags(), s.labels(), LoadBalancerSettings.DEFAULT);
    RevisionImage regionalImage = new RevisionImage("web-r1", "virtio", image.artifact(), image.sha256(),
        image.bootArgs(), 8080, regional);
    DesiredFleet desired = new DesiredFleet(FLEET, Map.of("web-r1", new DesiredFleet.Target(regionalImage, 2)),
        new FleetService(8080, null, new FleetService.Check("/health", 1, 1, 1, 2, 60), regional));
    await().atMost(WAIT).untilAsserted(() -> assertThat(provider.realize(desired).instances())
        .hasSize(2).allMatch(i -> !i.address().isEmpty()));
    JsonNode group = fake.group("regions/europe-west1/" + GceNames.group(FLEET));
    assertThat(group.path("updatePolicy").path("instanceRedistributionType").asText()).isEqualTo("NONE");
    assertThat(fake.calls()).containsKey("instances.aggregatedList").doesNotContainKey("instances.list");
    List<String> names = new ArrayList<>(fake.backendServices().keySet());
    assertThat(names).containsExactly(TrafficModel.backendServiceName(FLEET));
  }
}
