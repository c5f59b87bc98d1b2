package io.dustcloud.provider.gce;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.cloud.compute.v1.Firewall;
import io.dustcloud.provider.FleetId;
import io.dustcloud.provider.FleetService;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The desired traffic path of a fleet, built from its settings. */
class TrafficModelTest {
  static final FleetId FLEET = new FleetId("ns", "web");
  static final GceLocation ZONAL = new GceLocation("proj-123", "europe-west1-b", null);
  static final FleetService SERVICE = new FleetService(8080, 9100,
      new FleetService.Check("/health", 30, 1, 1, 3, 120), null);

  static GceSettings settings(LoadBalancerSettings lb) {
    return new GceSettings("proj-123", "europe-west1-b", null, null, null, "sub-a", null, List.of(), Map.of(), lb);
  }

  @Test
  void anExternalLoadBalancerAdmitsClientsAndGooglesCheckersOnTheServingPortAndTheOperatorOnMetricsToo() {
    TrafficModel m = TrafficModel.of(FLEET, ZONAL, settings(LoadBalancerSettings.DEFAULT), SERVICE, List.of("10.8.0.0/14"));
    assertThat(m.backendService().getLoadBalancingScheme()).isEqualTo("EXTERNAL");
    assertThat(m.backendService().getConnectionDraining().getDrainingTimeoutSec()).isEqualTo(30);
    assertThat(m.backendService().getBackends(0).getGroup())
        .isEqualTo("projects/proj-123/zones/europe-west1-b/instanceGroups/" + GceNames.group(FLEET));
    assertThat(m.address().getAddressType()).isEqualTo("EXTERNAL");
    assertThat(m.address().hasSubnetwork()).as("external addresses have no subnetwork").isFalse();
    assertThat(m.forwardingRule().getPortsList()).containsExactly("8080");
    assertThat(m.forwardingRule().getIPAddress()).endsWith("/regions/europe-west1/addresses/" + m.address().getName());
    Firewall serve = m.serveFirewall();
    assertThat(serve.getSourceRangesList()).contains("0.0.0.0/0", "35.191.0.0/16", "130.211.0.0/22",
        "209.85.152.0/22", "209.85.204.0/22");
    assertThat(serve.getAllowed(0).getPortsList()).containsExactly("8080");
    assertThat(serve.getTargetTagsList()).containsExactly(TrafficModel.networkTag(FLEET));
    assertThat(m.operatorFirewall().getSourceRangesList()).containsExactly("10.8.0.0/14");
    assertThat(m.operatorFirewall().getAllowed(0).getPortsList()).containsExactly("8080", "9100");
  }

  @Test
  void anInternalLoadBalancerLivesInTheFleetsSubnetworkAndAdmitsPrivateRanges() {
    TrafficModel m = TrafficModel.of(FLEET, ZONAL,
        settings(new LoadBalancerSettings(LoadBalancerSettings.Type.INTERNAL, 80, null, 5)), SERVICE, List.of());
    assertThat(m.backendService().getLoadBalancingScheme()).isEqualTo("INTERNAL");
    assertThat(m.address().getSubnetwork()).isEqualTo("projects/proj-123/regions/europe-west1/subnetworks/sub-a");
    assertThat(m.forwardingRule().getPortsList()).containsExactly("80");
    assertThat(m.port()).isEqualTo(80);
    assertThat(m.serveFirewall().getSourceRangesList()).contains("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")
        .doesNotContain("0.0.0.0/0", "209.85.152.0/22");
    assertThat(m.serveFirewall().getAllowed(0).getPortsList()).containsExactly("80", "8080");
    assertThat(m.operatorFirewall()).as("no operator ranges, no rule").isNull();
  }

  @Test
  void withoutALoadBalancerTheHealthCheckAndItsFirewallStayForAutohealing() {
    TrafficModel m = TrafficModel.of(FLEET, ZONAL, settings(LoadBalancerSettings.NONE), SERVICE, List.of());
    assertThat(m.backendService()).isNull();
    assertThat(m.address()).isNull();
    assertThat(m.forwardingRule()).isNull();
    assertThat(m.serveFirewall().getSourceRangesList()).containsExactly("130.211.0.0/22", "35.191.0.0/16");
    assertThat(m.autoHealing().getHealthCheck()).endsWith("/healthChecks/" + m.healthCheck().getName());
  }

  @Test
  void theHealthCheckFollowsTheFleetsCheckWithinGcesBounds() {
    TrafficModel http = TrafficModel.of(FLEET, ZONAL, settings(LoadBalancerSettings.DEFAULT), SERVICE, List.of());
    assertThat(http.healthCheck().getType()).isEqualTo("HTTP");
    assertThat(http.healthCheck().getHttpHealthCheck().getRequestPath()).isEqualTo("/health");
    assertThat(http.healthCheck().getCheckIntervalSec()).as("at most 5 s: the load balancer follows health quickly")
        .isEqualTo(5);
    assertThat(http.healthCheck().getUnhealthyThreshold()).isEqualTo(3);
    assertThat(http.autoHealing().getInitialDelaySec()).as("the startup deadline").isEqualTo(120);
    FleetService tcp = new FleetService(7000, null, new FleetService.Check(null, 2, 9, 50, 0, 99_999), null);
    TrafficModel t = TrafficModel.of(FLEET, ZONAL, settings(LoadBalancerSettings.DEFAULT), tcp, List.of());
    assertThat(t.healthCheck().getType()).isEqualTo("TCP");
    assertThat(t.healthCheck().getTcpHealthCheck().getPort()).isEqualTo(7000);
    assertThat(t.healthCheck().getTimeoutSec()).as("never above the interval").isEqualTo(2);
    assertThat(t.healthCheck().getHealthyThreshold()).isEqualTo(10);
    assertThat(t.healthCheck().getUnhealthyThreshold()).isEqualTo(1);
    assertThat(t.autoHealing().getInitialDelaySec()).isEqualTo(3600);
  }

  @Test
  void namesAreValidGceNamesDistinctPerResourceAndFleet() {
    FleetId other = new FleetId("ns-web", "x");
    List<String> names = List.of(TrafficModel.healthCheckName(FLEET), TrafficModel.backendServiceName(FLEET),
        TrafficModel.addressName(FLEET), TrafficModel.forwardingRuleName(FLEET), TrafficModel.serveFirewallName(FLEET),
        TrafficModel.operatorFirewallName(FLEET), TrafficModel.healthCheckName(other), GceNames.group(FLEET));
    assertThat(names).doesNotHaveDuplicates()
        .allMatch(n -> n.matches("[a-z]([-a-z0-9]{0,61}[a-z0-9])?"), "a GCE resource name");
  }

  @Test
  void aRegionalGroupsBackendIsItsRegionalInstanceGroup() {
    GceLocation regional = new GceLocation("proj-123", null, "europe-west1");
    TrafficModel m = TrafficModel.of(FLEET, regional, settings(LoadBalancerSettings.DEFAULT), SERVICE, List.of());
    assertThat(m.backendService().getBackends(0).getGroup()).contains("/regions/europe-west1/instanceGroups/");
    assertThat(GroupExtras.desired(m, regional).redistribution()).isEqualTo("NONE");
    assertThat(GroupExtras.desired(m, ZONAL).redistribution()).isNull();
  }
}
