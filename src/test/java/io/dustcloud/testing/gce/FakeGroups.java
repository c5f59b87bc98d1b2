package io.dustcloud.testing.gce;

import static io.dustcloud.testing.gce.FakeRules.intIn;
import static io.dustcloud.testing.gce.FakeRules.invalid;
import static io.dustcloud.testing.gce.FakeRules.oneOf;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.atomic.AtomicLong;

/** The managed-group fields the traffic path adds (named ports, autohealing, lifecycle, redistribution), and autohealing. */
final class FakeGroups {
  private FakeGroups() {}

  /** Validates a group as inserted, or as it would be after a patch (the merged result). */
  static void validate(FakeCompute fake, FakeCompute.Route r, JsonNode group) {
    int n = 0;
    for (JsonNode port : group.path("namedPorts")) {
      String field = "namedPorts[" + n++ + "]";
      String name = port.path("name").asText(null);
      if (name == null) {
        throw FakeRules.required(field + ".name");
      }
      if (!FakeRules.NAME.matcher(name).matches()) {
        throw invalid(field + ".name", name, "Must be a match of regex '(?:[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?)'");
      }
      if (!port.has("port")) {
        throw FakeRules.required(field + ".port");
      }
      intIn(port, "port", 1, 65535, 0);
    }
    JsonNode policies = group.path("autoHealingPolicies");
    if (policies.size() > 1) {
      throw invalid("autoHealingPolicies", policies.size(), "At most one autohealing policy is supported.");
    }
    for (JsonNode p : policies) {
      String hc = p.path("healthCheck").asText(null);
      if (hc == null) {
        throw FakeRules.required("autoHealingPolicies[0].healthCheck");
      }
      String name = FakeRules.refName(hc, "healthChecks");
      if (name == null) {
        throw invalid("autoHealingPolicies[0].healthCheck", hc, "Must be a URL to a health_check resource.");
      }
      String scope = FakeRules.refScope(hc);
      if (scope == null || !fake.net.healthChecks.containsKey(scope + "/" + name)) {
        throw FakeRules.notFound("projects/" + r.project() + "/" + (scope == null ? "global" : scope) + "/healthChecks/"
            + name);
      }
      intIn(p, "initialDelaySec", 0, 3600, 300);
    }
    oneOf(group, "instanceLifecyclePolicy.defaultActionOnFailure", "REPAIR", "REPAIR", "DO_NOTHING");
    oneOf(group, "instanceLifecyclePolicy.onFailedHealthCheck", "DEFAULT_ACTION", "DEFAULT_ACTION", "DO_NOTHING",
        "REPAIR");
    oneOf(group, "instanceLifecyclePolicy.forceUpdateOnRepair", "NO", "YES", "NO");
    String redistribution = oneOf(group, "updatePolicy.instanceRedistributionType", "NONE", "NONE", "PROACTIVE");
    if (redistribution.equals("PROACTIVE") && r.scope().startsWith("zones/")) {
      throw invalid("updatePolicy.instanceRedistributionType", redistribution,
          "Instance redistribution is only supported for regional managed instance groups.");
    }
    oneOf(group, "updatePolicy.type", "OPPORTUNISTIC", "OPPORTUNISTIC", "PROACTIVE");
  }

  /** The group's instance group as {@code instanceGroups.get} shows it (named ports live there). */
  static com.fasterxml.jackson.databind.node.ObjectNode instanceGroup(FakeGroup g) {
    var out = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
    out.put("kind", "compute#instanceGroup");
    out.put("name", g.name());
    out.put("selfLink", g.resource.path("instanceGroup").asText());
    for (String scope : new String[] {"zone", "region"}) {
      if (g.resource.has(scope)) {
        out.put(scope, g.resource.path(scope).asText());
      }
    }
    out.put("size", g.members().size());
    if (g.resource.has("namedPorts")) {
      out.set("namedPorts", g.resource.path("namedPorts").deepCopy());
    }
    out.put("fingerprint", Integer.toHexString(g.resource.path("namedPorts").toString().hashCode()));
    return out;
  }

  /** {@code instanceGroups.setNamedPorts}: replaces the group's named ports (fingerprint checked when given). */
  static void setNamedPorts(FakeCompute fake, FakeCompute.Route r, FakeGroup g, JsonNode body) {
    String fingerprint = instanceGroup(g).path("fingerprint").asText();
    if (body.hasNonNull("fingerprint") && !body.path("fingerprint").asText().equals(fingerprint)) {
      throw new FakeRules.Refusal(412, "conditionNotMet", "Supplied fingerprint does not match current fingerprint.");
    }
    var ports = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
    ports.set("namedPorts", body.path("namedPorts").deepCopy());
    validate(fake, r, ports);
    if (body.path("namedPorts").isEmpty()) {
      g.resource.remove("namedPorts");
    } else {
      g.resource.set("namedPorts", body.path("namedPorts").deepCopy());
    }
  }

  /** Whether the group's lifecycle policy repairs instances that fail their autohealing check. */
  static boolean repairs(JsonNode group) {
    JsonNode policy = group.path("instanceLifecyclePolicy");
    String onFailed = policy.path("onFailedHealthCheck").asText("DEFAULT_ACTION");
    return onFailed.equals("REPAIR")
        || onFailed.equals("DEFAULT_ACTION") && policy.path("defaultActionOnFailure").asText("REPAIR").equals("REPAIR");
  }

  /**
   * Recreates, as GCE's autohealer does, every RUNNING member past the policy's initial delay
   * (scaled like the checks) that the health checker has judged UNHEALTHY — never one already
   * in an action (creating, recreating, deleting, draining).
   */
  static void autoheal(FakeCompute fake, FakeGroup g, AtomicLong autohealed) {
    JsonNode policy = g.resource.path("autoHealingPolicies").path(0);
    if (policy.isMissingNode() || !repairs(g.resource)) {
      return;
    }
    FakeTraffic.Check check = fake.check(policy.path("healthCheck").asText());
    if (check == null) {
      return;
    }
    long now = fake.now();
    long delay = Math.round(policy.path("initialDelaySec").asInt(300) * 1000 * fake.healthCheckTimeScale);
    for (FakeGroup.Instance i : g.members()) {
      if (i.leaving != null || !g.status(i, now).equals("RUNNING") || now < i.startedAt + delay) {
        continue;
      }
      if (fake.traffic.failed(check, i.id)) {
        g.reincarnate(i, i.template);
        autohealed.incrementAndGet();
      }
    }
  }
}
