package io.dustcloud.testing.gce;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/** The VMs of the fake's groups as {@code instances.get/list/aggregatedList} show them. */
final class FakeInstances {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private FakeInstances() {}

  /** The serving port a template records in its metadata ({@code dustcloud-port}), 8080 when absent. */
  static int port(JsonNode template) {
    if (template != null) {
      for (JsonNode item : template.path("properties").path("metadata").path("items")) {
        if (item.path("key").asText().equals("dustcloud-port") && item.path("value").asText().matches("\\d{1,5}")) {
          return Integer.parseInt(item.path("value").asText());
        }
      }
    }
    return 8080;
  }

  /** {@code instances.get}, {@code instances.list} (zones/Z) or {@code instances.aggregatedList}. */
  static JsonNode list(FakeCompute fake, FakeCompute.Route r, String filter) {
    Map<String, ArrayNode> byZone = new TreeMap<>();
    long now = fake.now();
    for (FakeGroup g : fake.groupsView().values()) {
      String zone = g.zoneUrlPrefix.substring(g.zoneUrlPrefix.indexOf("/zones/") + 1);
      if (!r.scope().equals("aggregated") && !zone.equals(r.scope())) {
        continue;
      }
      for (FakeGroup.Instance i : g.instances) {
        if (g.blocked(i, now)) {
          continue; // GCE could not create its VM: there is none to list
        }
        ObjectNode vm = view(fake, g, i, now);
        if (r.name() != null) {
          if (i.name.equals(r.name())) {
            return vm;
          }
        } else if (FakeCompute.matches(vm, filter)) {
          byZone.computeIfAbsent(zone, z -> F.arrayNode()).add(vm);
        }
      }
    }
    if (r.name() != null) {
      throw FakeRules.notFound(FakeNet.path(r.project(), r.scope(), "instances", r.name()));
    }
    ObjectNode out = F.objectNode();
    if (r.scope().equals("aggregated")) {
      out.put("kind", "compute#instanceAggregatedList");
      ObjectNode items = out.putObject("items");
      byZone.forEach((zone, vms) -> items.putObject(zone).set("instances", vms));
    } else {
      out.put("kind", "compute#instanceList");
      out.set("items", byZone.getOrDefault(r.scope(), F.arrayNode()));
    }
    return out;
  }

  private static ObjectNode view(FakeCompute fake, FakeGroup g, FakeGroup.Instance i, long now) {
    JsonNode props = fake.templateNode(i.template) == null ? F.objectNode()
        : fake.templateNode(i.template).path("properties");
    ObjectNode vm = F.objectNode();
    vm.put("kind", "compute#instance");
    vm.put("id", Long.toString(i.id));
    vm.put("name", i.name);
    vm.put("creationTimestamp", Instant.ofEpochMilli(i.startedAt).toString());
    vm.put("zone", g.zoneUrlPrefix);
    vm.put("status", g.status(i, now));
    vm.put("selfLink", g.zoneUrlPrefix + "/instances/" + i.name);
    if (props.has("machineType")) {
      vm.put("machineType", g.zoneUrlPrefix + "/machineTypes/" + FakeGroup.last(props.path("machineType").asText()));
    }
    if (props.has("labels")) {
      vm.set("labels", props.path("labels").deepCopy());
    }
    if (props.has("tags")) {
      vm.set("tags", props.path("tags").deepCopy());
    }
    if (props.has("metadata")) {
      vm.set("metadata", props.path("metadata").deepCopy());
    }
    String network = props.path("networkInterfaces").path(0).path("network").asText("global/networks/default");
    if (!network.startsWith("https://")) {
      String project = g.zoneUrlPrefix.substring(FakeCompute.BASE.length()).split("/")[1];
      network = FakeCompute.BASE + "projects/" + project + "/global/networks/" + FakeGroup.last(network);
    }
    ObjectNode nic = vm.putArray("networkInterfaces").addObject();
    nic.put("name", "nic0");
    nic.put("network", network);
    nic.put("networkIP", i.ip);
    return vm;
  }
}
