package io.dustcloud.provider.gce;

import com.google.cloud.compute.v1.Address;
import com.google.cloud.compute.v1.BackendService;
import com.google.cloud.compute.v1.Firewall;
import com.google.cloud.compute.v1.ForwardingRule;
import com.google.cloud.compute.v1.HealthCheck;
import com.google.cloud.compute.v1.HealthStatus;
import io.dustcloud.core.Reason;
import io.dustcloud.provider.ProviderException;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes a fleet's traffic path match its {@link TrafficModel}: firewall rules and the health
 * check before the group (instances must be reachable from their first boot, and autohealing
 * names the check), the backend service, address and forwarding rule after it (the backend is
 * the group's instance group). Each resource is read, then inserted, patched, or — where GCE
 * cannot change it in place (a load balancing scheme, a forwarding rule) — deleted and made
 * again. Once a model is applied, applying it again costs nothing. Called under the fleet's lock.
 */
final class GceTraffic {
  private static final Logger log = LoggerFactory.getLogger(GceTraffic.class);

  private final TrafficApi api;
  private final GceCalls calls;

  GceTraffic(TrafficApi api, GceCalls calls) {
    this.api = api;
    this.calls = calls;
  }

  /** Firewall rules and the health check; whether the model was already applied. */
  boolean beforeGroup(GceFleet f, TrafficModel model) {
    if (model.equals(f.traffic)) {
      return true;
    }
    String project = f.location.project();
    firewall(f, model.serveFirewall());
    Firewall operator = model.operatorFirewall();
    if (operator != null) {
      firewall(f, operator);
    } else {
      // no operator ranges (any more): a rule left from when there were goes
      String name = TrafficModel.operatorFirewallName(f.id);
      if (calls.read(f.id, "firewalls.get", () -> api.getFirewall(project, name)).isPresent()) {
        calls.mutate(f.id, "firewalls.delete " + name, null, id -> api.deleteFirewall(project, name, id));
      }
    }
    healthCheck(f, model.healthCheck());
    return false;
  }

  /** The load balancer (or its absence), and the endpoint; then the model counts as applied. */
  void afterGroup(GceFleet f, TrafficModel model) {
    if (model.equals(f.traffic)) {
      return;
    }
    String project = f.location.project();
    String region = f.location.regionName();
    BackendService bs = model.backendService();
    Optional<BackendService> seenBs = calls.read(f.id, "regionBackendServices.get",
        () -> api.getBackendService(project, region, TrafficModel.backendServiceName(f.id)));
    Optional<Address> seenIp = calls.read(f.id, "addresses.get",
        () -> api.getAddress(project, region, TrafficModel.addressName(f.id)));
    boolean schemeChanged = bs != null && (seenBs.map(s -> !s.getLoadBalancingScheme().equals(bs.getLoadBalancingScheme())).orElse(false)
        || seenIp.map(a -> !a.getAddressType().equals(model.address().getAddressType())).orElse(false));
    if (bs == null || schemeChanged) {
      // no load balancer wanted, or one of another kind: what exists goes, rule first (it names the others)
      removeLoadBalancer(f, seenBs.isPresent(), seenIp.isPresent());
      seenBs = Optional.empty();
      seenIp = Optional.empty();
    }
    if (bs == null) {
      f.endpoint = null;
      f.inRotation = Set.of();
      f.traffic = model;
      return;
    }
    if (seenBs.isEmpty()) {
      calls.mutate(f.id, "regionBackendServices.insert " + bs.getName(), bs,
          id -> api.insertBackendService(project, region, bs, id));
    } else if (!sameBackendService(seenBs.get(), bs)) {
      calls.mutate(f.id, "regionBackendServices.patch " + bs.getName(), bs,
          id -> api.patchBackendService(project, region, bs.getName(), bs, id));
    }
    Address address = model.address();
    if (seenIp.isEmpty()) {
      calls.mutate(f.id, "addresses.insert " + address.getName(), address,
          id -> api.insertAddress(project, region, address, id));
      seenIp = calls.read(f.id, "addresses.get", () -> api.getAddress(project, region, address.getName()));
    }
    String ip = seenIp.map(Address::getAddress).filter(a -> !a.isEmpty()).orElseThrow(() -> new ProviderException(
        Reason.backend("Gce", "addressMissing"), "GCE reserved no address for " + address.getName(), true));
    ForwardingRule rule = model.forwardingRule();
    Optional<ForwardingRule> seenRule = calls.read(f.id, "forwardingRules.get",
        () -> api.getForwardingRule(project, region, rule.getName()));
    if (seenRule.isPresent() && !sameRule(seenRule.get(), rule, ip)) {
      // a forwarding rule's ports, address and backend cannot be patched: it is made again
      calls.mutate(f.id, "forwardingRules.delete " + rule.getName(), null,
          id -> api.deleteForwardingRule(project, region, rule.getName(), id));
      seenRule = Optional.empty();
    }
    if (seenRule.isEmpty()) {
      calls.mutate(f.id, "forwardingRules.insert " + rule.getName(), rule,
          id -> api.insertForwardingRule(project, region, rule, id));
    }
    f.endpoint = ip + ":" + model.port();
    f.traffic = model;
    log.info("fleet {}: load balancer {} at {}", f.id, bs.getLoadBalancingScheme(), f.endpoint);
  }

  /**
   * Instance names the load balancer holds HEALTHY. Read only while some instance the probes
   * pass is not among them (a rollout waits for it), so a settled fleet costs no read.
   */
  Set<String> healthy(GceFleet f) {
    String project = f.location.project();
    String region = f.location.regionName();
    List<HealthStatus> statuses = calls.read(f.id, "regionBackendServices.getHealth",
        () -> api.backendHealth(project, region, TrafficModel.backendServiceName(f.id),
            TrafficModel.instanceGroupUrl(f.location, f.id)));
    Set<String> healthy = new HashSet<>();
    for (HealthStatus s : statuses) {
      if ("HEALTHY".equals(s.getHealthState())) {
        healthy.add(GceNames.lastSegment(s.getInstance()));
      }
    }
    return healthy;
  }

  /** Everything before the group is deleted: the load balancer, which names the group. */
  void deleteBeforeGroup(GceFleet f) {
    removeLoadBalancer(f, true, true); // by name, whatever is known: an interrupted create may have left any of it
  }

  /** Everything after: the health check (autohealing named it) and the firewall rules. */
  void deleteAfterGroup(GceFleet f) {
    String project = f.location.project();
    String region = f.location.regionName();
    String hc = TrafficModel.healthCheckName(f.id);
    calls.mutate(f.id, "regionHealthChecks.delete " + hc, null, id -> api.deleteHealthCheck(project, region, hc, id));
    for (String fw : List.of(TrafficModel.serveFirewallName(f.id), TrafficModel.operatorFirewallName(f.id))) {
      calls.mutate(f.id, "firewalls.delete " + fw, null, id -> api.deleteFirewall(project, fw, id));
    }
    f.traffic = null;
    f.endpoint = null;
  }

  /**
   * Deletes the forwarding rule, then the backend service and address when they exist. The rule
   * names both and GCE makes it last, so with neither there is no rule either: a fleet that never
   * had a load balancer costs no call (a delete that finds nothing is still a mutating call).
   */
  private void removeLoadBalancer(GceFleet f, boolean backendServiceExists, boolean addressExists) {
    if (!backendServiceExists && !addressExists) {
      return;
    }
    String project = f.location.project();
    String region = f.location.regionName();
    String fr = TrafficModel.forwardingRuleName(f.id);
    String bs = TrafficModel.backendServiceName(f.id);
    String ip = TrafficModel.addressName(f.id);
    calls.mutate(f.id, "forwardingRules.delete " + fr, null, id -> api.deleteForwardingRule(project, region, fr, id));
    if (backendServiceExists) {
      calls.mutate(f.id, "regionBackendServices.delete " + bs, null,
          id -> api.deleteBackendService(project, region, bs, id));
    }
    if (addressExists) {
      calls.mutate(f.id, "addresses.delete " + ip, null, id -> api.deleteAddress(project, region, ip, id));
    }
  }

  private void firewall(GceFleet f, Firewall want) {
    String project = f.location.project();
    Optional<Firewall> seen = calls.read(f.id, "firewalls.get", () -> api.getFirewall(project, want.getName()));
    if (seen.isEmpty()) {
      calls.mutate(f.id, "firewalls.insert " + want.getName(), want, id -> api.insertFirewall(project, want, id));
    } else if (!sameFirewall(seen.get(), want)) {
      calls.mutate(f.id, "firewalls.patch " + want.getName(), want,
          id -> api.patchFirewall(project, want.getName(), want, id));
    }
  }

  private void healthCheck(GceFleet f, HealthCheck want) {
    String project = f.location.project();
    String region = f.location.regionName();
    Optional<HealthCheck> seen = calls.read(f.id, "regionHealthChecks.get",
        () -> api.getHealthCheck(project, region, want.getName()));
    if (seen.isEmpty()) {
      calls.mutate(f.id, "regionHealthChecks.insert " + want.getName(), want,
          id -> api.insertHealthCheck(project, region, want, id));
    } else if (!sameHealthCheck(seen.get(), want)) {
      calls.mutate(f.id, "regionHealthChecks.patch " + want.getName(), want,
          id -> api.patchHealthCheck(project, region, want.getName(), want, id));
    }
  }

  // ---- what "the same" means: the fields we set, URLs compared by their last segment ----

  static boolean sameHealthCheck(HealthCheck seen, HealthCheck want) {
    return seen.getType().equals(want.getType())
        && seen.getCheckIntervalSec() == want.getCheckIntervalSec() && seen.getTimeoutSec() == want.getTimeoutSec()
        && seen.getHealthyThreshold() == want.getHealthyThreshold()
        && seen.getUnhealthyThreshold() == want.getUnhealthyThreshold()
        && seen.getHttpHealthCheck().getPort() == want.getHttpHealthCheck().getPort()
        && seen.getHttpHealthCheck().getRequestPath().equals(want.getHttpHealthCheck().getRequestPath())
        && seen.getTcpHealthCheck().getPort() == want.getTcpHealthCheck().getPort();
  }

  static boolean sameBackendService(BackendService seen, BackendService want) {
    return seen.getProtocol().equals(want.getProtocol())
        && lastSegments(seen.getHealthChecksList()).equals(lastSegments(want.getHealthChecksList()))
        && seen.getBackendsCount() == want.getBackendsCount()
        && (want.getBackendsCount() == 0 || (GceNames.lastSegment(seen.getBackends(0).getGroup())
            .equals(GceNames.lastSegment(want.getBackends(0).getGroup()))
            && seen.getBackends(0).getBalancingMode().equals(want.getBackends(0).getBalancingMode())))
        && seen.getConnectionDraining().getDrainingTimeoutSec() == want.getConnectionDraining().getDrainingTimeoutSec();
  }

  static boolean sameRule(ForwardingRule seen, ForwardingRule want, String ip) {
    return seen.getPortsList().equals(want.getPortsList())
        && (seen.getIPAddress().equals(ip) || GceNames.lastSegment(seen.getIPAddress())
            .equals(GceNames.lastSegment(want.getIPAddress())))
        && GceNames.lastSegment(seen.getBackendService()).equals(GceNames.lastSegment(want.getBackendService()))
        && seen.getLoadBalancingScheme().equals(want.getLoadBalancingScheme());
  }

  static boolean sameFirewall(Firewall seen, Firewall want) {
    return new HashSet<>(seen.getSourceRangesList()).equals(new HashSet<>(want.getSourceRangesList()))
        && new HashSet<>(seen.getTargetTagsList()).equals(new HashSet<>(want.getTargetTagsList()))
        && seen.getAllowedCount() == 1 && new HashSet<>(seen.getAllowed(0).getPortsList())
            .equals(new HashSet<>(want.getAllowed(0).getPortsList()))
        && GceNames.lastSegment(seen.getNetwork()).equals(GceNames.lastSegment(want.getNetwork()));
  }

  private static List<String> lastSegments(List<String> urls) {
    return urls.stream().map(GceNames::lastSegment).sorted().toList();
  }
}
