package io.dustcloud.testing.gce;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Collection;
import java.util.List;

/**
 * Whether the fake's firewall rules let health-check probes reach an instance (only with
 * {@link FakeCompute#enforceFirewalls}): GCE drops ingress that no rule allows, and a missing
 * rule for the probers' ranges is the classic reason every backend of a new load balancer
 * stays UNHEALTHY. A prober range is admitted when an enabled INGRESS allow rule on the
 * instance's network, targeting it (no target tags, or a tag it carries), allowing TCP on the
 * probed port, has a source range containing the whole prober range. Deny rules are not
 * modelled.
 */
final class FakeFirewalls {
  /** Where GCE's probes come from for an external passthrough load balancer's backend service. */
  static final List<String> EXTERNAL_PROBERS = List.of("35.191.0.0/16", "209.85.152.0/22", "209.85.204.0/22");
  /** … for an internal passthrough one, and for autohealing checks. */
  static final List<String> INTERNAL_PROBERS = List.of("35.191.0.0/16", "130.211.0.0/22");

  private FakeFirewalls() {}

  static boolean admits(Collection<? extends JsonNode> rules, FakeTraffic.Vm vm, int port, List<String> probers) {
    for (String prober : probers) {
      boolean admitted = false;
      for (JsonNode rule : rules) {
        admitted |= allows(rule, vm, port, prober);
      }
      if (!admitted) {
        return false;
      }
    }
    return true;
  }

  private static boolean allows(JsonNode rule, FakeTraffic.Vm vm, int port, String source) {
    if (!rule.path("direction").asText("INGRESS").equals("INGRESS") || rule.path("disabled").asBoolean(false)
        || !rule.has("allowed") || !FakeGroup.last(rule.path("network").asText()).equals(vm.network())) {
      return false;
    }
    JsonNode targets = rule.path("targetTags");
    if (!targets.isEmpty()) {
      boolean tagged = false;
      for (JsonNode t : targets) {
        tagged |= vm.tags().contains(t.asText());
      }
      if (!tagged) {
        return false;
      }
    }
    boolean tcp = false;
    for (JsonNode allowed : rule.path("allowed")) {
      String protocol = allowed.path("IPProtocol").asText();
      if (protocol.equals("tcp") || protocol.equals("all") || protocol.equals("6")) {
        tcp |= allowed.path("ports").isEmpty() || portIn(allowed.path("ports"), port);
      }
    }
    if (!tcp) {
      return false;
    }
    for (JsonNode range : rule.path("sourceRanges")) {
      if (contains(range.asText(), source)) {
        return true;
      }
    }
    return false;
  }

  private static boolean portIn(JsonNode ports, int port) {
    for (JsonNode p : ports) {
      String[] lohi = p.asText().split("-");
      int lo = Integer.parseInt(lohi[0]);
      int hi = lohi.length > 1 ? Integer.parseInt(lohi[1]) : lo;
      if (port >= lo && port <= hi) {
        return true;
      }
    }
    return false;
  }

  /** Whether CIDR {@code outer} contains all of CIDR {@code inner}. */
  static boolean contains(String outer, String inner) {
    long[] o = cidr(outer);
    long[] i = cidr(inner);
    if (o[1] > i[1]) {
      return false;
    }
    long mask = o[1] == 0 ? 0 : (0xFFFFFFFFL << (32 - o[1])) & 0xFFFFFFFFL;
    return (o[0] & mask) == (i[0] & mask);
  }

  private static long[] cidr(String s) {
    String[] parts = s.split("/");
    long addr = 0;
    for (String octet : parts[0].split("\\.")) {
      addr = addr << 8 | Long.parseLong(octet);
    }
    return new long[] {addr, parts.length > 1 ? Long.parseLong(parts[1]) : 32};
  }
}
