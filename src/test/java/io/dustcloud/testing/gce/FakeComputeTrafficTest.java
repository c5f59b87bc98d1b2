package io.dustcloud.testing.gce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.api.gax.rpc.ApiException;
import com.google.api.gax.rpc.FailedPreconditionException;
import com.google.api.gax.rpc.InvalidArgumentException;
import com.google.api.gax.rpc.NotFoundException;
import com.google.api.gax.rpc.PermissionDeniedException;
import com.google.cloud.compute.v1.Address;
import com.google.cloud.compute.v1.AggregatedListInstancesRequest;
import com.google.cloud.compute.v1.Allowed;
import com.google.cloud.compute.v1.Backend;
import com.google.cloud.compute.v1.BackendService;
import com.google.cloud.compute.v1.ConnectionDraining;
import com.google.cloud.compute.v1.Firewall;
import com.google.cloud.compute.v1.ForwardingRule;
import com.google.cloud.compute.v1.HTTPHealthCheck;
import com.google.cloud.compute.v1.HealthCheck;
import com.google.cloud.compute.v1.HealthStatus;
import com.google.cloud.compute.v1.Instance;
import com.google.cloud.compute.v1.InstanceGroupManager;
import com.google.cloud.compute.v1.InstanceGroupManagerAutoHealingPolicy;
import com.google.cloud.compute.v1.InstanceGroupManagerUpdatePolicy;
import com.google.cloud.compute.v1.InstanceGroupManagersDeleteInstancesRequest;
import com.google.cloud.compute.v1.InstanceGroupManagersRecreateInstancesRequest;
import com.google.cloud.compute.v1.InstanceProperties;
import com.google.cloud.compute.v1.InstanceTemplate;
import com.google.cloud.compute.v1.InstancesScopedList;
import com.google.cloud.compute.v1.Items;
import com.google.cloud.compute.v1.ManagedInstance;
import com.google.cloud.compute.v1.Metadata;
import com.google.cloud.compute.v1.NamedPort;
import com.google.cloud.compute.v1.NetworkInterface;
import com.google.cloud.compute.v1.ResourceGroupReference;
import com.google.cloud.compute.v1.Tags;
import com.google.cloud.compute.v1.TCPHealthCheck;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The Compute fake's traffic path, driven through Google's own clients: health checks, backend
 * services, addresses, forwarding rules and firewalls as the API validates them, instances with
 * loopback addresses and real servers behind a load balancer that forwards, checks, drains and
 * heals. Health checks run five times faster than their seconds say ({@code healthCheckTimeScale}).
 */
class FakeComputeTrafficTest {
  private static final String PROJECT = "p17";
  private static final String REGION = "europe-west1";
  private static final String ZONE = "europe-west1-b";
  /** Unusual, so nothing else on the machine listens there; each instance has its own loopback address anyway. */
  private static final int PORT = 18417;
  private static final Duration LONG = Duration.ofSeconds(20);

  private final FakeCompute fake = fake();
  private final FakeComputeClients gce = new FakeComputeClients(fake);
  private final List<KeepAliveClient> clients = new ArrayList<>();

  private static FakeCompute fake() {
    FakeCompute f = new FakeCompute();
    f.provisioningMillis = 100;
    f.stagingMillis = 100;
    f.bootMillis = 200;
    f.healthCheckTimeScale = 0.2;
    return f;
  }

  @AfterEach
  void stop() {
    clients.forEach(KeepAliveClient::close);
    gce.close();
    fake.close();
  }

  // ---- traffic ----

  @Test
  void keepAliveClientsThroughTheAddressReachOnlyHealthyBackends() throws Exception {
    Lb lb = loadBalancer(4, 0);
    List<String> names = names();
    fake.instanceModes().setMode(names.get(2), InstanceModes.Mode.FAILING);
    fake.instanceModes().setMode(names.get(3), InstanceModes.Mode.HUNG);
    await().atMost(LONG).until(() -> healthy(lb).equals(Set.of(names.get(0), names.get(1)))
        && health(lb).size() == 4);

    List<Future<List<String>>> answers = new ArrayList<>();
    var pool = java.util.concurrent.Executors.newFixedThreadPool(8);
    try {
      for (int c = 0; c < 8; c++) {
        KeepAliveClient client = client(lb);
        answers.add(pool.submit(() -> {
          List<String> bodies = new ArrayList<>();
          for (int r = 0; r < 25; r++) {
            KeepAliveClient.Response answer = client.get("/");
            assertThat(answer.status()).isEqualTo(200);
            bodies.add(answer.body());
          }
          return bodies;
        }));
      }
      Set<String> seen = new HashSet<>();
      for (Future<List<String>> a : answers) {
        seen.addAll(a.get());
      }
      assertThat(seen).containsExactlyInAnyOrder("hello from " + names.get(0) + " (web-v1)\n",
          "hello from " + names.get(1) + " (web-v1)\n");
    } finally {
      pool.shutdownNow();
    }
    FakeCompute.LbStats stats = fake.lbStats();
    assertThat(stats.requestsToUnhealthy()).isZero();
    assertThat(stats.connectionsToUnhealthy()).isZero();
    assertThat(stats.requestsByBackend()).containsOnlyKeys(names.get(0), names.get(1));
    assertThat(stats.requestsByBackend().values().stream().mapToLong(Long::longValue).sum()).isEqualTo(8 * 25);
    assertThat(clients.stream().mapToLong(KeepAliveClient::connections).sum())
        .as("keep-alive: the connection age (2 s) closes few of them").isLessThan(8 * 25);
  }

  @Test
  void withFirewallsEnforcedProbesPassOnlyOnceARuleAdmitsTheProbersToTheTaggedInstances() throws Exception {
    fake.enforceFirewalls = true;
    Lb lb = loadBalancer(2, 0);
    await().atMost(LONG).until(() -> health(lb).size() == 2);
    gce.firewalls.insertAsync(PROJECT, firewall("web-hc-only-internal").toBuilder().clearSourceRanges()
        .addSourceRanges("35.191.0.0/16").addSourceRanges("130.211.0.0/22").build()).get();
    gce.firewalls.insertAsync(PROJECT, firewall("web-other-tag").toBuilder().clearSourceRanges()
        .addSourceRanges("0.0.0.0/0").clearTargetTags().addTargetTags("db").build()).get();
    long probed = fake.traffic.probed.get();
    // four more probes per instance: twice the healthy threshold, had anything admitted them
    await().atMost(LONG).until(() -> fake.traffic.probed.get() >= probed + 2 * 4 + 2);
    assertThat(healthy(lb)).as("an external passthrough balancer's probers also come from 209.85.152.0/22 and"
        + " 209.85.204.0/22").isEmpty();

    gce.firewalls.insertAsync(PROJECT, firewall("web-hc").toBuilder().clearSourceRanges().addSourceRanges("35.191.0.0/16")
        .addSourceRanges("209.85.152.0/22").addSourceRanges("209.85.204.0/22").build()).get();
    await().atMost(LONG).until(() -> healthy(lb).size() == 2);
  }

  @Test
  void aFailingInstanceLeavesRotationAfterTheUnhealthyThresholdAndComesBack() throws Exception {
    Lb lb = loadBalancer(2, 0);
    List<String> names = names();
    await().atMost(LONG).until(() -> healthy(lb).size() == 2);

    fake.instanceModes().setMode(names.get(0), InstanceModes.Mode.FAILING);
    await().atMost(LONG).until(() -> healthy(lb).equals(Set.of(names.get(1))));
    long before = fake.lbStats().requestsToUnhealthy();
    for (int i = 0; i < 6; i++) {
      try (KeepAliveClient fresh = client(lb)) {
        assertThat(fresh.get("/").body()).isEqualTo("hello from " + names.get(1) + " (web-v1)\n");
      }
    }
    assertThat(fake.lbStats().requestsToUnhealthy()).isEqualTo(before);

    fake.instanceModes().clearMode(names.get(0));
    await().atMost(LONG).until(() -> healthy(lb).size() == 2);

    // none healthy: like GCE's passthrough balancer, every backend gets new connections
    fake.instanceModes().setTemplateMode("web-v1", InstanceModes.Mode.FAILING);
    await().atMost(LONG).until(() -> healthy(lb).isEmpty());
    try (KeepAliveClient fresh = client(lb)) {
      assertThat(fresh.get("/").status()).isEqualTo(500);
      assertThat(fresh.get("/health").status()).isEqualTo(503);
    }
    FakeCompute.LbStats stats = fake.lbStats();
    assertThat(stats.connectionsToUnhealthy()).isEqualTo(1);
    assertThat(stats.requestsToUnhealthy()).as("the health path is not counted").isEqualTo(before + 1);

    // no backend at all: the connection is closed at once
    gce.groups.resizeAsync(PROJECT, ZONE, "web", 0).get();
    try (KeepAliveClient fresh = client(lb)) {
      assertThatThrownBy(() -> fresh.get("/")).isInstanceOf(java.io.IOException.class);
    }
    assertThat(fake.lbStats().connectionsWithoutBackend()).isEqualTo(1);
  }

  @Test
  void instanceServersAnswerOnTheirOwnAddressBoundTheirConnectionsAgeAndStopWithTheFake() throws Exception {
    template("web-v1");
    gce.groups.insertAsync(PROJECT, ZONE, group("web", "web-v1", 2)).get();
    String name = names().get(0);
    String ip = fake.instanceIps("zones/" + ZONE + "/web").get(name);
    KeepAliveClient direct = new KeepAliveClient(ip, PORT, 5000);
    clients.add(direct);
    await().atMost(LONG).ignoreExceptions().until(() -> direct.get("/health").status() == 200);
    assertThat(direct.get("/").body()).isEqualTo("hello from " + name + " (web-v1)\n");
    assertThat(direct.get("/metrics").body()).contains("process_cpu_seconds_total ").contains("http_requests_total ");
    long opened = direct.connections();
    assertThat(direct.get("/").closedAfter()).as("younger than maxConnectionAgeMillis: kept alive").isFalse();
    assertThat(direct.connections()).isEqualTo(opened);

    fake.maxConnectionAgeMillis = 0; // every answer is now past the age: Connection: close, and a new connection
    assertThat(direct.get("/").closedAfter()).isTrue();
    assertThat(direct.get("/").closedAfter()).isTrue();
    assertThat(direct.connections()).isEqualTo(opened + 1);
    assertThat(fake.lbStats().requestsByBackend()).as("not through a load balancer").isEmpty();

    fake.instanceModes().setMode(name, InstanceModes.Mode.HUNG);
    KeepAliveClient impatient = new KeepAliveClient(ip, PORT, 300);
    clients.add(impatient);
    assertThatThrownBy(() -> impatient.get("/")).isInstanceOf(java.net.SocketTimeoutException.class);

    fake.close();
    await().atMost(LONG).until(() -> Thread.getAllStackTraces().keySet().stream()
        .noneMatch(t -> t.getName().startsWith(fake.threadPrefix())));
  }

  @Test
  void deleteInstancesDrainsTheInstanceExistingConnectionsFirst() throws Exception {
    fake.maxConnectionAgeMillis = 60_000; // this test holds one connection through the whole drain
    Lb lb = loadBalancer(2, 4);
    await().atMost(LONG).until(() -> healthy(lb).size() == 2);
    KeepAliveClient held = client(lb);
    String victim = served(held.get("/"));
    String survivor = names().stream().filter(n -> !n.equals(victim)).findFirst().orElseThrow();
    ManagedInstance leaving = managed().stream().filter(m -> m.getName().equals(victim)).findFirst().orElseThrow();

    gce.groups.deleteInstancesAsync(PROJECT, ZONE, "web", InstanceGroupManagersDeleteInstancesRequest.newBuilder()
        .addInstances(leaving.getInstance()).build()).get();

    KeepAliveClient.Response during = held.get("/");
    assertThat(served(during)).as("the existing connection still works while draining").isEqualTo(victim);
    assertThat(during.connection()).isEqualTo(1);
    assertThat(fake.draining("zones/" + ZONE + "/web")).containsEntry(victim, "DELETING");
    assertThat(managed()).filteredOn(m -> m.getName().equals(victim)).singleElement()
        .extracting(ManagedInstance::getCurrentAction).isEqualTo("DELETING");
    assertThat(gce.groups.get(PROJECT, ZONE, "web").getTargetSize()).isEqualTo(1);
    for (int i = 0; i < 5; i++) {
      try (KeepAliveClient fresh = client(lb)) {
        assertThat(served(fresh.get("/"))).as("no new connection to a draining instance").isEqualTo(survivor);
      }
    }
    await().atMost(LONG).until(() -> managed().size() == 1);
    assertThat(names()).containsExactly(survivor);
    KeepAliveClient.Response after = held.get("/");
    assertThat(served(after)).as("after the drain the connection was closed; a new one goes elsewhere")
        .isEqualTo(survivor);
    assertThat(after.connection()).isEqualTo(2);
    assertThat(fake.lbStats().requestsByBackend()).containsKeys(victim, survivor);
  }

  @Test
  void recreateInstancesDrainsTooThenTheInstanceComesBackAsANewIncarnation() throws Exception {
    Lb lb = loadBalancer(2, 1);
    await().atMost(LONG).until(() -> healthy(lb).size() == 2);
    ManagedInstance old = managed().get(0);
    String oldIp = fake.instanceIps("zones/" + ZONE + "/web").get(old.getName());

    gce.groups.recreateInstancesAsync(PROJECT, ZONE, "web", InstanceGroupManagersRecreateInstancesRequest.newBuilder()
        .addInstances(old.getInstance()).build()).get();
    assertThat(fake.draining("zones/" + ZONE + "/web")).containsOnly(Map.entry(old.getName(), "RECREATING"));
    assertThat(managed()).filteredOn(m -> m.getName().equals(old.getName())).singleElement()
        .extracting(ManagedInstance::getCurrentAction).isEqualTo("RECREATING");
    for (int i = 0; i < 4; i++) {
      try (KeepAliveClient fresh = client(lb)) {
        assertThat(served(fresh.get("/"))).isNotEqualTo(old.getName());
      }
    }

    await().atMost(LONG).until(() -> fake.draining("zones/" + ZONE + "/web").isEmpty());
    ManagedInstance again = managed().stream().filter(m -> m.getName().equals(old.getName())).findFirst().orElseThrow();
    assertThat(again.getId()).isNotEqualTo(old.getId());
    assertThat(fake.instanceIps("zones/" + ZONE + "/web").get(old.getName())).isNotEqualTo(oldIp);
    await().atMost(LONG).until(() -> healthy(lb).size() == 2);
  }

  @Test
  void autohealingRecreatesAnInstanceItsCheckHoldsUnhealthy() throws Exception {
    template("web-v1");
    String hc = healthCheck("web-hc", 1, 1);
    gce.groups.insertAsync(PROJECT, ZONE, group("web", "web-v1", 2).toBuilder()
        .addAutoHealingPolicies(InstanceGroupManagerAutoHealingPolicy.newBuilder().setHealthCheck(hc)
            .setInitialDelaySec(5)) // 1 s scaled: past the boot (0.4 s) and two probes
        .build()).get();
    await().atMost(LONG).until(() -> managed().stream().allMatch(m -> m.getInstanceStatus().equals("RUNNING")));
    ManagedInstance sick = managed().get(0);
    fake.instanceModes().setMode(sick.getName(), InstanceModes.Mode.HUNG);

    await().atMost(LONG).until(() -> fake.autohealed() >= 1);
    fake.instanceModes().clearMode(sick.getName());
    ManagedInstance healed = managed().stream().filter(m -> m.getName().equals(sick.getName())).findFirst()
        .orElseThrow();
    assertThat(healed.getId()).as("a recreated VM is a new incarnation").isNotEqualTo(sick.getId());
    assertThat(fake.autohealed()).as("the healthy instance is left alone").isEqualTo(1);
    await().atMost(LONG).until(() -> managed().stream().allMatch(m -> m.getCurrentAction().equals("NONE")));

    assertRefused(InvalidArgumentException.class, "instanceGroupManagers/web",
        () -> gce.healthChecks.deleteAsync(PROJECT, REGION, "web-hc").get());
  }

  // ---- instances ----

  @Test
  void aggregatedListShowsTheIdsAndAddressesOfTheManagedInstances() throws Exception {
    template("web-v1");
    gce.groups.insertAsync(PROJECT, ZONE, group("web", "web-v1", 3)).get();
    gce.regionGroups.insertAsync(PROJECT, REGION, group("web-r", "web-v1", 2)).get();
    Map<String, String> ips = fake.instanceIps("zones/" + ZONE + "/web");

    Map<String, Instance> listed = aggregated();
    assertThat(listed).hasSize(5);
    for (ManagedInstance m : managed()) {
      Instance vm = listed.get(m.getName());
      assertThat(vm.getId()).isEqualTo(m.getId());
      assertThat(vm.getNetworkInterfaces(0).getNetworkIP()).isEqualTo(ips.get(m.getName())).startsWith("127.1.");
      assertThat(vm.getLabelsMap()).containsEntry("app", "web");
      assertThat(vm.getTags().getItemsList()).containsExactly("web");
      assertThat(vm.getZone()).endsWith("zones/" + ZONE);
    }
    assertThat(listed.values().stream().map(v -> v.getNetworkInterfaces(0).getNetworkIP()).distinct()).hasSize(5);
    assertThat(gce.instances.list(PROJECT, ZONE).iterateAll()).hasSize(5); // the regional group lives in zone -b too

    ManagedInstance first = managed().get(0);
    gce.groups.recreateInstancesAsync(PROJECT, ZONE, "web", InstanceGroupManagersRecreateInstancesRequest.newBuilder()
        .addInstances(first.getInstance()).build()).get();
    Instance again = aggregated().get(first.getName());
    assertThat(again.getId()).isNotEqualTo(first.getId());
    assertThat(again.getNetworkInterfaces(0).getNetworkIP()).isNotEqualTo(ips.get(first.getName()));
    assertThat(managed()).extracting(ManagedInstance::getId).contains(again.getId());
  }

  @Test
  void deleteInstancesRefusesAStrangerUnlessToldToSkipIt() throws Exception {
    template("web-v1");
    gce.groups.insertAsync(PROJECT, ZONE, group("web", "web-v1", 2)).get();
    String member = managed().get(0).getInstance();
    String stranger = member.substring(0, member.lastIndexOf('/') + 1) + "nobody-1234";

    assertThatThrownBy(() -> gce.groups.deleteInstancesAsync(PROJECT, ZONE, "web",
        InstanceGroupManagersDeleteInstancesRequest.newBuilder().addInstances(member).addInstances(stranger).build())
        .get()).cause().isInstanceOf(InvalidArgumentException.class);
    assertThat(managed()).hasSize(2);

    gce.groups.deleteInstancesAsync(PROJECT, ZONE, "web", InstanceGroupManagersDeleteInstancesRequest.newBuilder()
        .addInstances(member).addInstances(stranger).setSkipInstancesOnValidationError(true).build()).get();
    assertThat(managed()).hasSize(1);
    assertThat(gce.groups.get(PROJECT, ZONE, "web").getTargetSize()).isEqualTo(1);
    assertThat(fake.calls()).containsEntry("instanceGroupManagers.deleteInstances", 2L);
  }

  // ---- validation ----

  @Test
  void theApiRefusesWhatGceRefuses() throws Exception {
    template("web-v1");
    gce.groups.insertAsync(PROJECT, ZONE, group("web", "web-v1", 1)).get();
    String igUrl = gce.groups.get(PROJECT, ZONE, "web").getInstanceGroup();

    assertRefused(InvalidArgumentException.class, "resource.name", () -> gce.healthChecks.insertAsync(PROJECT, REGION,
        httpCheck("Web_HC", 5, 5)).get());
    assertRefused(InvalidArgumentException.class, "timeoutSec", () -> gce.healthChecks.insertAsync(PROJECT, REGION,
        httpCheck("web-hc", 5, 10)).get());
    assertRefused(InvalidArgumentException.class, "checkIntervalSec", () -> gce.healthChecks.insertAsync(PROJECT,
        REGION, httpCheck("web-hc", 301, 5)).get());
    assertRefused(InvalidArgumentException.class, "healthyThreshold", () -> gce.healthChecks.insertAsync(PROJECT,
        REGION, httpCheck("web-hc", 5, 5).toBuilder().setHealthyThreshold(11).build()).get());
    assertRefused(NotFoundException.class, "healthChecks/missing", () -> gce.backendServices.insertAsync(PROJECT,
        REGION, backendService("web-bs", regional("healthChecks", "missing"), igUrl, 0)).get());

    String hc = healthCheck("web-hc", 5, 5);
    assertThat(fake.healthChecks().get("web-hc").path("healthyThreshold").asInt()).as("GCE's default").isEqualTo(2);
    assertRefused(NotFoundException.class, "instanceGroups/nope", () -> gce.backendServices.insertAsync(PROJECT, REGION,
        backendService("web-bs", hc, igUrl.replace("/web", "/nope"), 0)).get());
    assertRefused(InvalidArgumentException.class, "drainingTimeoutSec", () -> gce.backendServices.insertAsync(PROJECT,
        REGION, backendService("web-bs", hc, igUrl, 3601)).get());
    assertRefused(InvalidArgumentException.class, "protocol", () -> gce.backendServices.insertAsync(PROJECT, REGION,
        backendService("web-bs", hc, igUrl, 0).toBuilder().clearProtocol().build()).get());
    gce.backendServices.insertAsync(PROJECT, REGION, backendService("web-bs", hc, igUrl, 0)).get();
    String bs = regional("backendServices", "web-bs");
    assertRefused(InvalidArgumentException.class, "health_check", () -> gce.healthChecks.deleteAsync(PROJECT, REGION,
        "web-hc").get());
    assertRefused(InvalidArgumentException.class, "instance_group", () -> gce.groups.deleteAsync(PROJECT, ZONE, "web")
        .get());

    gce.addresses.insertAsync(PROJECT, REGION, Address.newBuilder().setName("web-ip").putLabels("app", "web").build())
        .get();
    String address = regional("addresses", "web-ip");
    assertRefused(InvalidArgumentException.class, "loadBalancingScheme", () -> gce.forwardingRules.insertAsync(PROJECT,
        REGION, rule("web-fr", address, bs).toBuilder().setLoadBalancingScheme("INTERNAL").build()).get());
    assertRefused(InvalidArgumentException.class, "ports", () -> gce.forwardingRules.insertAsync(PROJECT, REGION,
        rule("web-fr", address, bs).toBuilder().addAllPorts(List.of("1", "2", "3", "4", "5")).build()).get());
    assertRefused(InvalidArgumentException.class, "labels", () -> gce.forwardingRules.insertAsync(PROJECT, REGION,
        rule("web-fr", address, bs).toBuilder().putLabels("App", "web").build()).get());
    gce.forwardingRules.insertAsync(PROJECT, REGION, rule("web-fr", address, bs)).get();
    assertThat(gce.addresses.get(PROJECT, REGION, "web-ip").getStatus()).isEqualTo("IN_USE");
    assertRefused(InvalidArgumentException.class, "address", () -> gce.addresses.deleteAsync(PROJECT, REGION, "web-ip")
        .get());
    assertRefused(InvalidArgumentException.class, "backend_service", () -> gce.backendServices.deleteAsync(PROJECT,
        REGION, "web-bs").get());
    // HTTP 409: gax's REST transport maps it to ABORTED, not ALREADY_EXISTS
    assertRefused(com.google.api.gax.rpc.AbortedException.class, "web-fr", () -> gce.forwardingRules.insertAsync(
        PROJECT, REGION, rule("web-fr", address, bs)).get());

    assertRefused(InvalidArgumentException.class, "sourceRanges", () -> gce.firewalls.insertAsync(PROJECT,
        firewall("web-fw").toBuilder().clearSourceRanges().addSourceRanges("10.0.0.0/33").build()).get());
    assertRefused(InvalidArgumentException.class, "targetTags", () -> gce.firewalls.insertAsync(PROJECT,
        firewall("web-fw").toBuilder().addTargetTags("Web").build()).get());
    assertRefused(InvalidArgumentException.class, "priority", () -> gce.firewalls.insertAsync(PROJECT,
        firewall("web-fw").toBuilder().setPriority(65536).build()).get());
    assertRefused(NotFoundException.class, "networks/elsewhere", () -> gce.firewalls.insertAsync(PROJECT,
        firewall("web-fw").toBuilder().setNetwork("global/networks/elsewhere").build()).get());
    fake.networks.add("elsewhere");
    gce.firewalls.insertAsync(PROJECT, firewall("web-fw").toBuilder().setNetwork("global/networks/elsewhere").build())
        .get();

    assertRefused(InvalidArgumentException.class, "instanceRedistributionType", () -> gce.groups.patchAsync(PROJECT,
        ZONE, "web", InstanceGroupManager.newBuilder().setUpdatePolicy(InstanceGroupManagerUpdatePolicy.newBuilder()
            .setInstanceRedistributionType("PROACTIVE")).build()).get());
    assertRefused(NotFoundException.class, "healthChecks/gone", () -> gce.groups.patchAsync(PROJECT, ZONE, "web",
        InstanceGroupManager.newBuilder().addAutoHealingPolicies(InstanceGroupManagerAutoHealingPolicy.newBuilder()
            .setHealthCheck(regional("healthChecks", "gone")).setInitialDelaySec(60)).build()).get());
    gce.regionGroups.insertAsync(PROJECT, REGION, group("web-r", "web-v1", 1).toBuilder().setUpdatePolicy(
        InstanceGroupManagerUpdatePolicy.newBuilder().setInstanceRedistributionType("NONE")).build()).get();
    assertThat(fake.calls()).containsKeys("regionHealthChecks.insert", "regionBackendServices.insert",
        "addresses.insert", "forwardingRules.insert", "firewalls.insert", "regionInstanceGroupManagers.insert");
  }

  @Test
  void patchMergesNestedObjectsAndReplacesLists() throws Exception {
    template("web-v1");
    String hc = healthCheck("web-hc", 5, 5);
    gce.groups.insertAsync(PROJECT, ZONE, group("web", "web-v1", 1).toBuilder()
        .setUpdatePolicy(InstanceGroupManagerUpdatePolicy.newBuilder().setType("OPPORTUNISTIC").setMinimalAction("REPLACE"))
        .addNamedPorts(NamedPort.newBuilder().setName("http").setPort(PORT))
        .addNamedPorts(NamedPort.newBuilder().setName("metrics").setPort(9090)).build()).get();

    gce.groups.patchAsync(PROJECT, ZONE, "web", InstanceGroupManager.newBuilder()
        .setUpdatePolicy(InstanceGroupManagerUpdatePolicy.newBuilder()
            .setMaxSurge(com.google.cloud.compute.v1.FixedOrPercent.newBuilder().setFixed(2)))
        .addNamedPorts(NamedPort.newBuilder().setName("http").setPort(8080))
        .addAutoHealingPolicies(InstanceGroupManagerAutoHealingPolicy.newBuilder().setHealthCheck(hc)
            .setInitialDelaySec(120)).build()).get();
    InstanceGroupManager group = gce.groups.get(PROJECT, ZONE, "web");
    assertThat(group.getUpdatePolicy().getType()).as("merged, not replaced").isEqualTo("OPPORTUNISTIC");
    assertThat(group.getUpdatePolicy().getMinimalAction()).isEqualTo("REPLACE");
    assertThat(group.getUpdatePolicy().getMaxSurge().getFixed()).isEqualTo(2);
    assertThat(group.getNamedPortsList()).as("lists are replaced").extracting(NamedPort::getPort).containsExactly(8080);
    assertThat(group.getAutoHealingPolicies(0).getInitialDelaySec()).isEqualTo(120);
    assertThat(group.getInstanceTemplate()).endsWith("web-v1");

    gce.healthChecks.patchAsync(PROJECT, REGION, "web-hc", HealthCheck.newBuilder().setCheckIntervalSec(10).build())
        .get();
    HealthCheck patched = gce.healthChecks.get(PROJECT, REGION, "web-hc");
    assertThat(patched.getCheckIntervalSec()).isEqualTo(10);
    assertThat(patched.getHttpHealthCheck().getRequestPath()).isEqualTo("/health");
    assertRefused(InvalidArgumentException.class, "timeoutSec", () -> gce.healthChecks.patchAsync(PROJECT, REGION,
        "web-hc", HealthCheck.newBuilder().setTimeoutSec(11).build()).get());
    gce.healthChecks.updateAsync(PROJECT, REGION, "web-hc", HealthCheck.newBuilder().setName("web-hc").setType("TCP")
        .setTcpHealthCheck(TCPHealthCheck.newBuilder().setPort(PORT)).build()).get();
    HealthCheck replaced = gce.healthChecks.get(PROJECT, REGION, "web-hc");
    assertThat(replaced.hasHttpHealthCheck()).as("update replaces").isFalse();
    assertThat(replaced.getCheckIntervalSec()).isEqualTo(5);

    gce.firewalls.insertAsync(PROJECT, firewall("web-fw")).get();
    gce.firewalls.patchAsync(PROJECT, "web-fw", Firewall.newBuilder().addSourceRanges("10.8.0.0/14").build()).get();
    Firewall fw = gce.firewalls.get(PROJECT, "web-fw");
    assertThat(fw.getSourceRangesList()).containsExactly("10.8.0.0/14");
    assertThat(fw.getTargetTagsList()).containsExactly("web");
    assertThat(fw.getAllowed(0).getPortsList()).containsExactly(Integer.toString(PORT), "9090-9091");
    assertThat(fake.firewalls()).containsKey("web-fw");
  }

  @Test
  void injectedPermissionAndOrgPolicyRefusalsCarryGcesMessages() throws Exception {
    fake.faults.failNext("firewalls.insert", 1, FakeFaults.Kind.PERMISSION_DENIED);
    assertRefused(PermissionDeniedException.class,
        "Required 'compute.firewalls.create' permission for 'projects/p17/global/firewalls/web-fw'",
        () -> gce.firewalls.insertAsync(PROJECT, firewall("web-fw")).get());
    fake.faults.failNext("addresses.insert", 1, FakeFaults.Kind.ORG_POLICY);
    assertRefused(FailedPreconditionException.class, "constraints/compute.restrictProtocolForwardingCreationForTypes",
        () -> gce.addresses.insertAsync(PROJECT, REGION, Address.newBuilder().setName("web-ip").build()).get());
    assertThat(fake.firewalls()).isEmpty();
    assertThat(fake.addresses()).isEmpty();
    gce.firewalls.insertAsync(PROJECT, firewall("web-fw")).get();
    assertThat(fake.firewalls()).containsKey("web-fw");
  }

  @Test
  void requestIdsNamedPortsAndAggregatedListsOfTheTrafficResources() throws Exception {
    template("web-v1");
    gce.groups.insertAsync(PROJECT, ZONE, group("web", "web-v1", 1)).get();
    var insert = com.google.cloud.compute.v1.InsertAddressRequest.newBuilder().setProject(PROJECT).setRegion(REGION)
        .setAddressResource(Address.newBuilder().setName("web-ip")).setRequestId("6f1e0c9e-6a55-4d3c-9c1e-2b7f3a1d0a17")
        .build();
    gce.addresses.insertAsync(insert).get();
    gce.addresses.insertAsync(insert).get(); // a retry with the same id: the first operation, no second effect
    assertThat(fake.addresses()).containsOnlyKeys("web-ip");
    assertThat(fake.calls()).containsEntry("addresses.insert", 2L);

    try (var instanceGroups = com.google.cloud.compute.v1.InstanceGroupsClient.create(
        com.google.cloud.compute.v1.InstanceGroupsSettings.newBuilder().setEndpoint(fake.endpoint())
            .setCredentialsProvider(com.google.api.gax.core.NoCredentialsProvider.create()).build())) {
      var ports = com.google.cloud.compute.v1.InstanceGroupsSetNamedPortsRequest.newBuilder()
          .addNamedPorts(NamedPort.newBuilder().setName("http").setPort(PORT)).build();
      instanceGroups.setNamedPortsAsync(PROJECT, ZONE, "web", ports).get();
      assertThat(instanceGroups.get(PROJECT, ZONE, "web").getNamedPortsList()).extracting(NamedPort::getPort)
          .containsExactly(PORT);
      assertThat(gce.groups.get(PROJECT, ZONE, "web").getNamedPortsList()).hasSize(1);
      assertRefused(InvalidArgumentException.class, "namedPorts", () -> instanceGroups.setNamedPortsAsync(PROJECT, ZONE,
          "web", ports.toBuilder().addNamedPorts(NamedPort.newBuilder().setName("Bad").setPort(1)).build()).get());
    }

    String hc = healthCheck("web-hc", 5, 5);
    String igUrl = gce.groups.get(PROJECT, ZONE, "web").getInstanceGroup();
    gce.backendServices.insertAsync(PROJECT, REGION, backendService("web-bs", hc, igUrl, 0)).get();
    gce.forwardingRules.insertAsync(PROJECT, REGION, rule("web-fr", regional("addresses", "web-ip"),
        regional("backendServices", "web-bs"))).get();
    List<String> rules = new ArrayList<>();
    gce.forwardingRules.aggregatedList(com.google.cloud.compute.v1.AggregatedListForwardingRulesRequest.newBuilder()
        .setProject(PROJECT).setFilter("labels.app = \"web\"").build()).iterateAll()
        .forEach(e -> e.getValue().getForwardingRulesList().forEach(fr -> rules.add(e.getKey() + " " + fr.getName())));
    assertThat(rules).containsExactly("regions/" + REGION + " web-fr");

    // the reserved address by its IP, on another port; the same port again is refused
    String ip = gce.addresses.get(PROJECT, REGION, "web-ip").getAddress();
    gce.forwardingRules.insertAsync(PROJECT, REGION, rule("web-fr-metrics", ip, regional("backendServices", "web-bs"))
        .toBuilder().clearPorts().addPorts("9090").build()).get();
    assertRefused(InvalidArgumentException.class, "already being used", () -> gce.forwardingRules.insertAsync(PROJECT,
        REGION, rule("web-fr-again", ip, regional("backendServices", "web-bs"))).get());
    // no address: GCE assigns an ephemeral one; allPorts forwards whatever port the backends serve
    gce.forwardingRules.insertAsync(PROJECT, REGION, rule("web-all", "", regional("backendServices", "web-bs"))
        .toBuilder().clearIPAddress().clearPorts().setAllPorts(true).build()).get();
    String ephemeral = gce.forwardingRules.get(PROJECT, REGION, "web-all").getIPAddress();
    assertThat(ephemeral).startsWith("127.2.").isNotEqualTo(ip);
    KeepAliveClient all = new KeepAliveClient(ephemeral, PORT, 5000);
    clients.add(all);
    await().atMost(LONG).ignoreExceptions().until(() -> all.get("/").status() == 200);
    assertThat(gce.groups.listErrors(PROJECT, ZONE, "web").iterateAll()).isEmpty();
  }

  // ---- helpers ----

  private record Lb(String ip, String groupUrl) {}

  /** Template, zonal group of {@code size}, HTTP check (1 s, scaled to 0.2 s), backend service, address, rule. */
  private Lb loadBalancer(int size, int drainingSeconds) throws Exception {
    template("web-v1");
    gce.groups.insertAsync(PROJECT, ZONE, group("web", "web-v1", size).toBuilder()
        .addNamedPorts(NamedPort.newBuilder().setName("http").setPort(PORT)).build()).get();
    String groupUrl = gce.groups.get(PROJECT, ZONE, "web").getInstanceGroup();
    String hc = healthCheck("web-hc", 1, 1);
    gce.backendServices.insertAsync(PROJECT, REGION, backendService("web-bs", hc, groupUrl, drainingSeconds)).get();
    gce.addresses.insertAsync(PROJECT, REGION, Address.newBuilder().setName("web-ip").setAddressType("EXTERNAL").build())
        .get();
    gce.forwardingRules.insertAsync(PROJECT, REGION, rule("web-fr", regional("addresses", "web-ip"),
        regional("backendServices", "web-bs"))).get();
    String ip = gce.addresses.get(PROJECT, REGION, "web-ip").getAddress();
    assertThat(gce.forwardingRules.get(PROJECT, REGION, "web-fr").getIPAddress()).isEqualTo(ip);
    return new Lb(ip, groupUrl);
  }

  private void template(String name) throws Exception {
    gce.templates.insertAsync(PROJECT, InstanceTemplate.newBuilder().setName(name).setProperties(
        InstanceProperties.newBuilder().setMachineType("e2-micro").putLabels("app", "web")
            .setTags(Tags.newBuilder().addItems("web"))
            .setMetadata(Metadata.newBuilder().addItems(Items.newBuilder().setKey("dustcloud-port")
                .setValue(Integer.toString(PORT))))
            .addNetworkInterfaces(NetworkInterface.newBuilder().setNetwork("global/networks/default")))
        .build()).get();
  }

  private static InstanceGroupManager group(String name, String template, int size) {
    return InstanceGroupManager.newBuilder().setName(name).setBaseInstanceName(name)
        .setInstanceTemplate("global/instanceTemplates/" + template).setTargetSize(size).build();
  }

  private static HealthCheck httpCheck(String name, int interval, int timeout) {
    return HealthCheck.newBuilder().setName(name).setType("HTTP").setCheckIntervalSec(interval).setTimeoutSec(timeout)
        .setHttpHealthCheck(HTTPHealthCheck.newBuilder().setPort(PORT).setRequestPath("/health")).build();
  }

  /** Inserts an HTTP check on /health (thresholds left to GCE's defaults of 2 and 2); its URL. */
  private String healthCheck(String name, int interval, int timeout) throws Exception {
    gce.healthChecks.insertAsync(PROJECT, REGION, httpCheck(name, interval, timeout)).get();
    return gce.healthChecks.get(PROJECT, REGION, name).getSelfLink();
  }

  private static BackendService backendService(String name, String hc, String group, int drainingSeconds) {
    return BackendService.newBuilder().setName(name).setLoadBalancingScheme("EXTERNAL").setProtocol("TCP")
        .addHealthChecks(hc).addBackends(Backend.newBuilder().setGroup(group).setBalancingMode("CONNECTION"))
        .setConnectionDraining(ConnectionDraining.newBuilder().setDrainingTimeoutSec(drainingSeconds)).build();
  }

  private static ForwardingRule rule(String name, String address, String backendService) {
    return ForwardingRule.newBuilder().setName(name).setIPAddress(address).setIPProtocol("TCP")
        .addPorts(Integer.toString(PORT)).setLoadBalancingScheme("EXTERNAL").setBackendService(backendService)
        .putLabels("app", "web").build();
  }

  private static Firewall firewall(String name) {
    return Firewall.newBuilder().setName(name).setNetwork("global/networks/default").setDirection("INGRESS")
        .addSourceRanges("35.191.0.0/16").addSourceRanges("130.211.0.0/22").addTargetTags("web").setPriority(1000)
        .addAllowed(Allowed.newBuilder().setIPProtocol("tcp").addPorts(Integer.toString(PORT)).addPorts("9090-9091"))
        .build();
  }

  private static String regional(String collection, String name) {
    return "https://www.googleapis.com/compute/v1/projects/" + PROJECT + "/regions/" + REGION + "/" + collection + "/"
        + name;
  }

  private interface Call {
    void run() throws Exception;
  }

  /** The call fails with {@code type}, and GCE's message (carried by the exception) mentions {@code text}. */
  private static void assertRefused(Class<? extends ApiException> type, String text, Call call) {
    assertThatThrownBy(call::run).satisfies(e -> {
      Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
      assertThat(cause).isInstanceOf(type);
      // gax keeps only the status in its message; GCE's own message is in the HTTP cause's body
      assertThat(cause.getCause()).hasMessageContaining(text);
    });
  }

  private KeepAliveClient client(Lb lb) {
    KeepAliveClient c = new KeepAliveClient(lb.ip(), PORT, 5000);
    clients.add(c);
    return c;
  }

  private static String served(KeepAliveClient.Response r) {
    assertThat(r.status()).isEqualTo(200);
    return r.body().substring("hello from ".length(), r.body().indexOf(" ("));
  }

  private List<ManagedInstance> managed() {
    List<ManagedInstance> out = new ArrayList<>();
    gce.groups.listManagedInstances(PROJECT, ZONE, "web").iterateAll().forEach(out::add);
    return out;
  }

  private List<String> names() {
    return managed().stream().map(ManagedInstance::getName).toList();
  }

  private List<HealthStatus> health(Lb lb) {
    return gce.backendServices.getHealth(PROJECT, REGION, "web-bs", ResourceGroupReference.newBuilder()
        .setGroup(lb.groupUrl()).build()).getHealthStatusList();
  }

  /** Names of the instances the backend service's check holds HEALTHY. */
  private Set<String> healthy(Lb lb) {
    Set<String> out = new HashSet<>();
    for (HealthStatus s : health(lb)) {
      if (s.getHealthState().equals("HEALTHY")) {
        out.add(s.getInstance().substring(s.getInstance().lastIndexOf('/') + 1));
      }
    }
    return out;
  }

  private Map<String, Instance> aggregated() {
    Map<String, Instance> out = new HashMap<>();
    for (Map.Entry<String, InstancesScopedList> e : gce.instances.aggregatedList(AggregatedListInstancesRequest
        .newBuilder().setProject(PROJECT).setFilter("labels.app = \"web\"").build()).iterateAll()) {
      e.getValue().getInstancesList().forEach(i -> out.put(i.getName(), i));
    }
    return out;
  }
}
