package io.dustcloud.provider.gce;

import com.google.cloud.compute.v1.Address;
import com.google.cloud.compute.v1.Allowed;
import com.google.cloud.compute.v1.Backend;
import com.google.cloud.compute.v1.BackendService;
import com.google.cloud.compute.v1.ConnectionDraining;
import com.google.cloud.compute.v1.Firewall;
import com.google.cloud.compute.v1.ForwardingRule;
import com.google.cloud.compute.v1.HTTPHealthCheck;
import com.google.cloud.compute.v1.HealthCheck;
import com.google.cloud.compute.v1.InstanceGroupManagerAutoHealingPolicy;
import com.google.cloud.compute.v1.NamedPort;
import com.google.cloud.compute.v1.TCPHealthCheck;
import io.dustcloud.provider.FleetId;
import io.dustcloud.provider.FleetService;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The desired traffic path of one fleet, as values: a regional health check (also the group's
 * autohealing check), a regional passthrough backend service over the group's instance group, a
 * reserved address and a forwarding rule holding it, and the fleet's firewall rules. Pure: built
 * from the fleet's settings and compared with what GCE holds by {@link GceTraffic}.
 *
 * @param backendService null (with address and forwardingRule) when the load balancer is NONE
 * @param operatorFirewall null when no operator ranges are configured
 */
public record TrafficModel(
    HealthCheck healthCheck,
    BackendService backendService,
    Address address,
    ForwardingRule forwardingRule,
    Firewall serveFirewall,
    Firewall operatorFirewall,
    NamedPort namedPort,
    InstanceGroupManagerAutoHealingPolicy autoHealing,
    int port) {

  /**
   * Where Google's health checkers probe from (all passthrough load balancers and autohealing),
   * and, for external passthrough network load balancers, also these two.
   */
  public static final List<String> HEALTH_CHECK_RANGES = List.of("35.191.0.0/16", "130.211.0.0/22");
  public static final List<String> NETWORK_LB_HEALTH_CHECK_RANGES = List.of("209.85.152.0/22", "209.85.204.0/22");
  /** GCE's bounds for checkIntervalSec (we probe at most every 5 s: the load balancer must follow health quickly). */
  static final int MAX_INTERVAL = 5;

  /** Names of the fleet's traffic resources: deterministic, so a restarted operator adopts them. */
  public static String healthCheckName(FleetId f) {
    return GceNames.name(f.namespace(), f.name(), "#hc");
  }

  public static String backendServiceName(FleetId f) {
    return GceNames.name(f.namespace(), f.name(), "#lb");
  }

  public static String addressName(FleetId f) {
    return GceNames.name(f.namespace(), f.name(), "#ip");
  }

  public static String forwardingRuleName(FleetId f) {
    return GceNames.name(f.namespace(), f.name(), "#fr");
  }

  public static String serveFirewallName(FleetId f) {
    return GceNames.name(f.namespace(), f.name(), "#fw-serve");
  }

  public static String operatorFirewallName(FleetId f) {
    return GceNames.name(f.namespace(), f.name(), "#fw-operator");
  }

  /** The network tag every instance of the fleet carries, which its firewall rules target. */
  public static String networkTag(FleetId f) {
    return GceNames.group(f);
  }

  /** The managed group's instance group (the load balancer's backend): same name and scope as the group. */
  public static String instanceGroupUrl(GceLocation at, FleetId f) {
    return "projects/" + at.project() + "/" + (at.regional() ? "regions/" + at.region() : "zones/" + at.zone())
        + "/instanceGroups/" + GceNames.group(f);
  }

  public static String healthCheckUrl(GceLocation at, FleetId f) {
    return "projects/" + at.project() + "/regions/" + at.regionName() + "/healthChecks/" + healthCheckName(f);
  }

  public static TrafficModel of(FleetId fleet, GceLocation at, GceSettings settings, FleetService service,
      List<String> operatorRanges) {
    LoadBalancerSettings lb = settings.loadBalancer();
    String region = at.regionName();
    String regionUrl = "projects/" + at.project() + "/regions/" + region;
    int port = service.port();
    int lbPort = lb.port(port);
    FleetService.Check c = service.check();
    int interval = clamp(c.intervalSeconds(), 1, MAX_INTERVAL);
    HealthCheck.Builder hc = HealthCheck.newBuilder()
        .setName(healthCheckName(fleet))
        .setDescription("dustcloud " + fleet + ": load balancer and autohealing check")
        .setCheckIntervalSec(interval)
        .setTimeoutSec(clamp(c.timeoutSeconds(), 1, interval))
        .setHealthyThreshold(clamp(c.healthyThreshold(), 1, 10))
        .setUnhealthyThreshold(clamp(c.unhealthyThreshold(), 1, 10));
    if (c.http()) {
      hc.setType("HTTP").setHttpHealthCheck(HTTPHealthCheck.newBuilder().setPort(port).setRequestPath(c.httpPath()));
    } else {
      hc.setType("TCP").setTcpHealthCheck(TCPHealthCheck.newBuilder().setPort(port));
    }
    Map<String, String> labels = GceLabels.of(fleet, "", settings.labels());
    labels.remove(GceLabels.REVISION);
    String network = network(settings);
    String tag = networkTag(fleet);

    BackendService backend = null;
    Address address = null;
    ForwardingRule rule = null;
    List<String> clientRanges = List.of();
    if (lb.enabled()) {
      String scheme = lb.type().name();
      BackendService.Builder bs = BackendService.newBuilder()
          .setName(backendServiceName(fleet))
          .setDescription("dustcloud " + fleet)
          .setLoadBalancingScheme(scheme)
          .setProtocol("TCP")
          .addHealthChecks(healthCheckUrl(at, fleet))
          .addBackends(Backend.newBuilder().setGroup(instanceGroupUrl(at, fleet)).setBalancingMode("CONNECTION"))
          .setConnectionDraining(ConnectionDraining.newBuilder().setDrainingTimeoutSec(lb.drainingSeconds()));
      if (lb.type() == LoadBalancerSettings.Type.INTERNAL) {
        bs.setNetwork(network);
      }
      backend = bs.build();
      Address.Builder a = Address.newBuilder().setName(addressName(fleet)).setDescription("dustcloud " + fleet)
          .setAddressType(scheme).putAllLabels(labels);
      ForwardingRule.Builder fr = ForwardingRule.newBuilder()
          .setName(forwardingRuleName(fleet))
          .setDescription("dustcloud " + fleet)
          .setIPAddress(regionUrl + "/addresses/" + addressName(fleet))
          .setIPProtocol("TCP")
          .addPorts(Integer.toString(lbPort))
          .setLoadBalancingScheme(scheme)
          .setBackendService(regionUrl + "/backendServices/" + backendServiceName(fleet))
          .putAllLabels(labels);
      String sub = settings.subnetwork();
      if (lb.type() == LoadBalancerSettings.Type.INTERNAL) {
        fr.setNetwork(network);
        if (sub != null && !sub.isBlank()) {
          String subUrl = sub.contains("/") ? sub : regionUrl + "/subnetworks/" + sub;
          a.setSubnetwork(subUrl);
          fr.setSubnetwork(subUrl);
        }
      }
      address = a.build();
      rule = fr.build();
      clientRanges = lb.sourceRanges();
    }
    // the check's sources and the clients on the serving ports; the operator on serving and metrics ports
    TreeSet<String> serveSources = new TreeSet<>(HEALTH_CHECK_RANGES);
    if (lb.type() == LoadBalancerSettings.Type.EXTERNAL) {
      serveSources.addAll(NETWORK_LB_HEALTH_CHECK_RANGES);
    }
    serveSources.addAll(clientRanges);
    Firewall serve = firewall(serveFirewallName(fleet), fleet, network, tag, new ArrayList<>(serveSources),
        ports(port, lb.enabled() ? lbPort : port), "health checks and clients");
    Firewall operator = operatorRanges.isEmpty() ? null
        : firewall(operatorFirewallName(fleet), fleet, network, tag, new ArrayList<>(new TreeSet<>(operatorRanges)),
            ports(port, service.metricsPort() == null ? port : service.metricsPort(), lb.enabled() ? lbPort : port),
            "the operator's probes and scrapes");
    InstanceGroupManagerAutoHealingPolicy healing = InstanceGroupManagerAutoHealingPolicy.newBuilder()
        .setHealthCheck(healthCheckUrl(at, fleet))
        .setInitialDelaySec(clamp(c.startupDeadlineSeconds(), 0, 3600))
        .build();
    return new TrafficModel(hc.build(), backend, address, rule, serve, operator,
        NamedPort.newBuilder().setName("http").setPort(port).build(), healing, lbPort);
  }

  private static Firewall firewall(String name, FleetId fleet, String network, String tag, List<String> sources,
      List<String> ports, String what) {
    return Firewall.newBuilder()
        .setName(name)
        .setDescription("dustcloud " + fleet + ": " + what)
        .setNetwork(network)
        .setDirection("INGRESS")
        .setPriority(1000)
        .addAllSourceRanges(sources)
        .addTargetTags(tag)
        .addAllowed(Allowed.newBuilder().setIPProtocol("tcp").addAllPorts(ports))
        .build();
  }

  private static List<String> ports(int... ports) {
    TreeSet<Integer> set = new TreeSet<>();
    for (int p : ports) {
      set.add(p);
    }
    return set.stream().map(String::valueOf).toList();
  }

  private static String network(GceSettings s) {
    return s.network().contains("/") ? s.network() : "projects/" + s.project() + "/global/networks/" + s.network();
  }

  private static int clamp(int v, int min, int max) {
    return Math.max(min, Math.min(max, v));
  }
}
