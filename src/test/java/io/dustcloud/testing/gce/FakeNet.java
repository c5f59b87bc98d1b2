package io.dustcloud.testing.gce;

import static io.dustcloud.testing.gce.FakeRules.at;
import static io.dustcloud.testing.gce.FakeRules.intIn;
import static io.dustcloud.testing.gce.FakeRules.invalid;
import static io.dustcloud.testing.gce.FakeRules.oneOf;
import static io.dustcloud.testing.gce.FakeRules.refName;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dustcloud.testing.gce.FakeRules.Refusal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The fake's traffic resources — regional health checks, regional backend services, regional
 * addresses, regional forwarding rules, firewalls — with the API's validation: required fields,
 * names, enums and ranges, references that must exist, and deletes refused while another
 * resource uses the one deleted. Guarded by the {@link FakeCompute}'s lock. What cannot be
 * faked on loopback (SSL/HTTP2 checks, UDP, managed proxies, target pools) is refused with a
 * message saying the fake does not support it, never silently accepted.
 */
final class FakeNet {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  final Map<String, ObjectNode> healthChecks = new LinkedHashMap<>();
  final Map<String, ObjectNode> backendServices = new LinkedHashMap<>();
  final Map<String, ObjectNode> addresses = new LinkedHashMap<>();
  final Map<String, ObjectNode> forwardingRules = new LinkedHashMap<>();
  final Map<String, ObjectNode> firewalls = new LinkedHashMap<>();
  private final FakeCompute fake;

  FakeNet(FakeCompute fake) {
    this.fake = fake;
  }

  static String path(String project, String scope, String collection, String name) {
    return "projects/" + project + "/" + scope + "/" + collection + "/" + name;
  }

  Map<String, ObjectNode> store(String collection) {
    return switch (collection) {
      case "healthChecks" -> healthChecks;
      case "backendServices" -> backendServices;
      case "addresses" -> addresses;
      case "forwardingRules" -> forwardingRules;
      case "firewalls" -> firewalls;
      default -> null;
    };
  }

  // ---- reads ----

  JsonNode read(FakeCompute.Route r, Map<String, String> query, JsonNode body) {
    Map<String, ObjectNode> store = store(r.collection());
    if (r.name() == null) {
      ObjectNode out = F.objectNode();
      ArrayNode items = out.putArray("items");
      String filter = query.getOrDefault("filter", "");
      store.forEach((key, item) -> {
        if (key.startsWith(r.scope() + "/") && FakeCompute.matches(item, filter)) {
          items.add(view(r.collection(), item));
        }
      });
      return out;
    }
    ObjectNode item = store.get(r.scope() + "/" + r.name());
    if (item == null) {
      throw FakeRules.notFound(path(r.project(), r.scope(), r.collection(), r.name()));
    }
    if ("getHealth".equals(r.action())) {
      return health(item, body);
    }
    return view(r.collection(), item);
  }

  /** {@code aggregated/addresses} or {@code aggregated/forwardingRules}: items by region. */
  JsonNode aggregated(String collection, String filter) {
    ObjectNode out = F.objectNode();
    ObjectNode items = out.putObject("items");
    store(collection).forEach((key, item) -> {
      String scope = key.substring(0, key.lastIndexOf('/'));
      if (FakeCompute.matches(item, filter)) {
        ObjectNode scoped = items.has(scope) ? (ObjectNode) items.get(scope) : items.putObject(scope);
        (scoped.has(collection) ? (ArrayNode) scoped.get(collection) : scoped.putArray(collection))
            .add(view(collection, item));
      }
    });
    return out;
  }

  /** An address shows whether a forwarding rule uses it. */
  private ObjectNode view(String collection, ObjectNode item) {
    ObjectNode out = item.deepCopy();
    if (collection.equals("addresses")) {
      List<String> users = users(item);
      out.put("status", users.isEmpty() ? "RESERVED" : "IN_USE");
      if (!users.isEmpty()) {
        ArrayNode u = out.putArray("users");
        users.forEach(u::add);
      }
    }
    return out;
  }

  private List<String> users(ObjectNode address) {
    List<String> out = new ArrayList<>();
    for (ObjectNode fr : forwardingRules.values()) {
      if (fr.path("IPAddress").asText().equals(address.path("address").asText())
          && fr.path("region").asText().equals(address.path("region").asText())) {
        out.add(fr.path("selfLink").asText());
      }
    }
    return out;
  }

  private JsonNode health(ObjectNode bs, JsonNode body) {
    String group = body.path("group").asText(null);
    if (group == null) {
      throw FakeRules.required("group");
    }
    boolean backend = false;
    for (JsonNode b : bs.path("backends")) {
      backend |= sameGroup(b.path("group").asText(), group);
    }
    String key = fake.groupKeyOf(group);
    if (!backend || key == null) {
      throw invalid("group", group, "The instance group is not a backend of backend service '" + bs.path("name").asText()
          + "'.");
    }
    ObjectNode out = F.objectNode();
    out.put("kind", "compute#backendServiceGroupHealth");
    FakeTraffic.Check check = fake.check(bs.path("healthChecks").path(0).asText());
    ArrayNode statuses = F.arrayNode();
    for (FakeTraffic.Vm vm : fake.vmsOf(key)) {
      ObjectNode s = statuses.addObject();
      s.put("instance", vm.url());
      s.put("ipAddress", vm.ip());
      s.put("port", vm.port());
      s.put("healthState", check != null && fake.traffic.healthy(check.key(), vm.id()) ? "HEALTHY" : "UNHEALTHY");
    }
    if (!statuses.isEmpty()) {
      out.set("healthStatus", statuses);
    }
    return out;
  }

  static boolean sameGroup(String a, String b) {
    String sa = FakeRules.refScope(a);
    String sb = FakeRules.refScope(b);
    return sa != null && sa.equals(sb) && refName(a, "instanceGroups") != null
        && refName(a, "instanceGroups").equals(refName(b, "instanceGroups"));
  }

  // ---- mutations ----

  /** Applies one mutating call; throws {@link Refusal} when GCE would refuse it. */
  void apply(FakeCompute.Route r, JsonNode body, String now) {
    Map<String, ObjectNode> store = store(r.collection());
    String method = r.method().substring(r.method().indexOf('.') + 1);
    if (method.equals("insert")) {
      FakeRules.name(body);
      String name = body.path("name").asText();
      if (store.containsKey(r.scope() + "/" + name)) {
        throw FakeRules.alreadyExists(path(r.project(), r.scope(), r.collection(), name));
      }
      ObjectNode item = ((ObjectNode) body).deepCopy();
      validate(r, item, null);
      item.put("id", Long.toString(fake.newId()));
      item.put("creationTimestamp", now);
      item.put("selfLink", FakeCompute.BASE + path(r.project(), r.scope(), r.collection(), name));
      if (!r.scope().equals("global")) {
        item.put("region", FakeCompute.BASE + "projects/" + r.project() + "/" + r.scope());
      }
      fingerprint(item);
      store.put(r.scope() + "/" + name, item);
      return;
    }
    if (method.equals("update") && !r.collection().equals("healthChecks") && !r.collection().equals("backendServices")
        && !r.collection().equals("firewalls") || method.equals("patch") && r.collection().equals("addresses")) {
      throw new Refusal(404, "notFound", "No such method: " + r.method()); // GCE has none (addresses: setLabels only)
    }
    String key = r.scope() + "/" + r.name();
    ObjectNode current = store.get(key);
    if (current == null) {
      throw FakeRules.notFound(path(r.project(), r.scope(), r.collection(), r.name()));
    }
    switch (method) {
      case "delete" -> {
        String user = userOf(r, current);
        if (user != null) {
          throw FakeRules.inUse(kind(r.collection()), path(r.project(), r.scope(), r.collection(), r.name()), user);
        }
        store.remove(key);
      }
      case "patch", "update" -> {
        if (body.hasNonNull("fingerprint") && !body.path("fingerprint").asText().equals(current.path("fingerprint").asText())) {
          throw new Refusal(412, "conditionNotMet", "Supplied fingerprint does not match current fingerprint.");
        }
        if (body.hasNonNull("name") && !body.path("name").asText().equals(r.name())) {
          throw invalid("name", body.path("name").asText(), "The name of a resource cannot be changed.");
        }
        ObjectNode next;
        if (method.equals("patch")) {
          next = current.deepCopy();
          FakeRules.merge(next, body);
        } else {
          next = ((ObjectNode) body).deepCopy();
          for (String kept : List.of("id", "creationTimestamp", "selfLink", "region", "kind")) {
            if (current.has(kept)) {
              next.set(kept, current.get(kept));
            }
          }
        }
        next.put("name", r.name());
        validate(r, next, current);
        fingerprint(next);
        store.put(key, next);
      }
      default -> throw FakeRules.notFound(r.method());
    }
  }

  private static String kind(String collection) {
    return switch (collection) {
      case "healthChecks" -> "health_check";
      case "backendServices" -> "backend_service";
      case "forwardingRules" -> "forwarding_rule";
      case "firewalls" -> "firewall";
      default -> "address";
    };
  }

  private static void fingerprint(ObjectNode item) {
    item.remove("fingerprint");
    item.put("fingerprint", Integer.toHexString(item.toString().hashCode()));
    if (item.has("labels")) {
      item.put("labelFingerprint", Integer.toHexString(item.path("labels").toString().hashCode()));
    }
  }

  /** Who uses a resource that is to be deleted (GCE refuses the delete), or null. */
  private String userOf(FakeCompute.Route r, ObjectNode item) {
    String self = item.path("selfLink").asText();
    switch (r.collection()) {
      case "healthChecks" -> {
        for (ObjectNode bs : backendServices.values()) {
          for (JsonNode hc : bs.path("healthChecks")) {
            if (sameRef(hc.asText(), self, "healthChecks")) {
              return relative(bs.path("selfLink").asText());
            }
          }
        }
        return fake.groupUsingHealthCheck(self);
      }
      case "backendServices" -> {
        for (ObjectNode fr : forwardingRules.values()) {
          if (sameRef(fr.path("backendService").asText(), self, "backendServices")) {
            return relative(fr.path("selfLink").asText());
          }
        }
        return null;
      }
      case "addresses" -> {
        List<String> users = users(item);
        return users.isEmpty() ? null : relative(users.get(0));
      }
      default -> {
        return null;
      }
    }
  }

  static String relative(String url) {
    return url.startsWith(FakeCompute.BASE) ? url.substring(FakeCompute.BASE.length()) : url;
  }

  /** Two references to the same resource of {@code collection} (full URL, partial URL). */
  static boolean sameRef(String a, String b, String collection) {
    String na = refName(a, collection);
    if (na == null || !na.equals(refName(b, collection))) {
      return false;
    }
    String sa = FakeRules.refScope(a);
    String sb = FakeRules.refScope(b);
    return sa == null || sb == null || sa.equals(sb);
  }

  /** The stored resource a reference names in {@code scope}, or a 404 naming it. */
  ObjectNode resolve(String ref, String collection, FakeCompute.Route r, String field) {
    String name = refName(ref, collection);
    if (name == null) {
      throw invalid(field, ref, "Must be a URL to a " + kind(collection) + " resource.");
    }
    String scope = FakeRules.refScope(ref);
    if (scope == null) {
      scope = r.scope();
    }
    ObjectNode found = store(collection).get(scope + "/" + name);
    if (found == null) {
      throw FakeRules.notFound(path(r.project(), scope, collection, name));
    }
    return found;
  }

  private void validate(FakeCompute.Route r, ObjectNode item, ObjectNode before) {
    switch (r.collection()) {
      case "healthChecks" -> healthCheck(item);
      case "backendServices" -> backendService(r, item);
      case "addresses" -> address(item);
      case "forwardingRules" -> forwardingRule(r, item);
      case "firewalls" -> firewall(r, item, before);
      default -> throw FakeRules.notFound(r.collection());
    }
  }

  private void healthCheck(ObjectNode hc) {
    hc.put("kind", "compute#healthCheck");
    if (!hc.hasNonNull("type")) {
      throw FakeRules.required("type");
    }
    String type = oneOf(hc, "type", null, "TCP", "SSL", "HTTP", "HTTPS", "HTTP2", "GRPC");
    Map<String, String> fields = Map.of("TCP", "tcpHealthCheck", "SSL", "sslHealthCheck", "HTTP", "httpHealthCheck",
        "HTTPS", "httpsHealthCheck", "HTTP2", "http2HealthCheck", "GRPC", "grpcHealthCheck");
    for (Map.Entry<String, String> e : fields.entrySet()) {
      if (!e.getKey().equals(type) && hc.has(e.getValue())) {
        throw invalid(e.getValue(), "", "Exactly one of the protocol-specific health check fields must be specified,"
            + " and it must match the type '" + type + "'.");
      }
    }
    if (!type.equals("TCP") && !type.equals("HTTP")) {
      throw invalid("type", type, "The Compute fake probes only TCP and HTTP health checks.");
    }
    String field = fields.get(type);
    ObjectNode spec = hc.has(field) && hc.get(field).isObject() ? (ObjectNode) hc.get(field) : hc.putObject(field);
    String portSpec = oneOf(hc, field + ".portSpecification", "USE_FIXED_PORT", "USE_FIXED_PORT", "USE_NAMED_PORT",
        "USE_SERVING_PORT");
    if (portSpec.equals("USE_FIXED_PORT")) {
      spec.put("port", intIn(hc, field + ".port", 1, 65535, 80));
    }
    if (type.equals("HTTP")) {
      String path = spec.path("requestPath").asText("/");
      if (!path.startsWith("/") || path.contains(" ") || path.length() > 1024) {
        throw invalid(field + ".requestPath", path, "Must start with '/' and contain no spaces, at most 1024 characters.");
      }
      spec.put("requestPath", path);
    }
    int interval = intIn(hc, "checkIntervalSec", 1, 300, 5);
    int timeout = intIn(hc, "timeoutSec", 1, 300, 5);
    if (timeout > interval) {
      throw invalid("timeoutSec", timeout, "TimeoutSec should be less than or equal to checkIntervalSec ("
          + interval + ").");
    }
    hc.put("checkIntervalSec", interval);
    hc.put("timeoutSec", timeout);
    hc.put("healthyThreshold", intIn(hc, "healthyThreshold", 1, 10, 2));
    hc.put("unhealthyThreshold", intIn(hc, "unhealthyThreshold", 1, 10, 2));
  }

  private void backendService(FakeCompute.Route r, ObjectNode bs) {
    bs.put("kind", "compute#backendService");
    String scheme = oneOf(bs, "loadBalancingScheme", "EXTERNAL", "EXTERNAL", "INTERNAL", "INTERNAL_MANAGED",
        "INTERNAL_SELF_MANAGED", "EXTERNAL_MANAGED");
    if (!scheme.equals("EXTERNAL") && !scheme.equals("INTERNAL")) {
      throw invalid("loadBalancingScheme", scheme, "The Compute fake supports only passthrough load balancers"
          + " (EXTERNAL, INTERNAL).");
    }
    bs.put("loadBalancingScheme", scheme);
    String protocol = oneOf(bs, "protocol", "HTTP", "HTTP", "HTTPS", "HTTP2", "TCP", "SSL", "UDP", "GRPC", "UNSPECIFIED",
        "H2C");
    if (!protocol.equals("TCP")) {
      throw invalid("protocol", protocol, "Protocol must be TCP, UDP or UNSPECIFIED for a backend service with"
          + " loadBalancingScheme " + scheme + (protocol.equals("UDP") || protocol.equals("UNSPECIFIED")
          ? " (the Compute fake forwards TCP only)." : "."));
    }
    bs.put("protocol", protocol);
    JsonNode checks = bs.path("healthChecks");
    if (!checks.isArray() || checks.isEmpty()) {
      throw FakeRules.required("healthChecks");
    }
    if (checks.size() > 1) {
      throw invalid("healthChecks", checks.size(), "A backend service of a passthrough load balancer takes exactly one"
          + " health check.");
    }
    resolve(checks.get(0).asText(), "healthChecks", r, "healthChecks[0]");
    Set<String> groups = new TreeSet<>();
    int n = 0;
    for (JsonNode b : bs.path("backends")) {
      String field = "backends[" + n++ + "]";
      String group = b.path("group").asText(null);
      if (group == null) {
        throw FakeRules.required(field + ".group");
      }
      if (refName(group, "instanceGroups") == null || FakeRules.refScope(group) == null) {
        throw invalid(field + ".group", group, "Must be the URL of an instance group (zones/Z/instanceGroups/N or"
            + " regions/R/instanceGroups/N).");
      }
      if (fake.groupKeyOf(group) == null) {
        throw FakeRules.notFound("projects/" + r.project() + "/" + FakeRules.refScope(group) + "/instanceGroups/"
            + refName(group, "instanceGroups"));
      }
      if (!groups.add(FakeRules.refScope(group) + "/" + refName(group, "instanceGroups"))) {
        throw invalid(field + ".group", group, "Duplicate backend group.");
      }
      String mode = oneOf(b, "balancingMode", "CONNECTION", "CONNECTION", "UTILIZATION", "RATE", "CUSTOM_METRICS");
      if (!mode.equals("CONNECTION")) {
        throw invalid(field + ".balancingMode", mode, "Balancing mode must be CONNECTION for a backend service with"
            + " loadBalancingScheme " + scheme + ".");
      }
      ((ObjectNode) b).put("balancingMode", mode);
    }
    intIn(bs, "connectionDraining.drainingTimeoutSec", 0, 3600, 0);
    oneOf(bs, "sessionAffinity", "NONE", "NONE", "CLIENT_IP", "CLIENT_IP_PROTO", "CLIENT_IP_PORT_PROTO",
        "CLIENT_IP_NO_DESTINATION", "GENERATED_COOKIE", "HEADER_FIELD", "HTTP_COOKIE", "STRONG_COOKIE_AFFINITY");
  }

  private void address(ObjectNode a) {
    a.put("kind", "compute#address");
    FakeRules.labels(a);
    a.put("addressType", oneOf(a, "addressType", "EXTERNAL", "EXTERNAL", "INTERNAL"));
    oneOf(a, "networkTier", "PREMIUM", "PREMIUM", "STANDARD", "FIXED_STANDARD", "STANDARD_OVERRIDES_FIXED_STANDARD");
    oneOf(a, "ipVersion", "IPV4", "IPV4", "IPV6");
    if (a.path("ipVersion").asText("IPV4").equals("IPV6")) {
      throw invalid("ipVersion", "IPV6", "The Compute fake reserves IPv4 loopback addresses only.");
    }
    if (a.hasNonNull("address") && !a.has("id")) {
      String ip = a.path("address").asText();
      if (!ip.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}") || !FakeRules.validCidr(ip)) {
        throw invalid("address", ip, "The Compute fake reserves loopback addresses (127.0.0.0/8) only.");
      }
      for (ObjectNode other : addresses.values()) {
        if (other.path("address").asText().equals(ip)) {
          throw invalid("address", ip, "IP address '" + ip + "' is already reserved by '"
              + relative(other.path("selfLink").asText()) + "'.");
        }
      }
    } else if (!a.hasNonNull("address")) {
      a.put("address", fake.newAddressIp());
    }
  }

  private void forwardingRule(FakeCompute.Route r, ObjectNode fr) {
    fr.put("kind", "compute#forwardingRule");
    FakeRules.labels(fr);
    String scheme = oneOf(fr, "loadBalancingScheme", "EXTERNAL", "EXTERNAL", "INTERNAL", "INTERNAL_MANAGED",
        "INTERNAL_SELF_MANAGED", "EXTERNAL_MANAGED");
    fr.put("loadBalancingScheme", scheme);
    String protocol = oneOf(fr, "IPProtocol", "TCP", "TCP", "UDP", "ESP", "AH", "SCTP", "ICMP", "L3_DEFAULT");
    if (!protocol.equals("TCP")) {
      throw invalid("IPProtocol", protocol, "The Compute fake forwards TCP only.");
    }
    fr.put("IPProtocol", protocol);
    if (!fr.hasNonNull("backendService")) {
      throw fr.hasNonNull("target") ? invalid("target", fr.path("target").asText(),
          "The Compute fake supports backend-service-based forwarding rules only.") : FakeRules.required("backendService");
    }
    ObjectNode bs = resolve(fr.path("backendService").asText(), "backendServices", r, "backendService");
    if (!bs.path("loadBalancingScheme").asText().equals(scheme)) {
      throw invalid("loadBalancingScheme", scheme, "The loadBalancingScheme of the forwarding rule must match the"
          + " backend service's (" + bs.path("loadBalancingScheme").asText() + ").");
    }
    List<Integer> ports = ports(fr, scheme);
    String ip;
    String wantType = scheme.equals("INTERNAL") ? "INTERNAL" : "EXTERNAL";
    if (!fr.hasNonNull("IPAddress")) {
      ip = fake.newAddressIp(); // an ephemeral address, as GCE assigns one
    } else {
      String ref = fr.path("IPAddress").asText();
      ObjectNode address = null;
      if (ref.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
        for (ObjectNode a : addresses.values()) {
          if (a.path("address").asText().equals(ref) && a.path("region").asText().endsWith(r.scope())) {
            address = a;
          }
        }
        if (address == null) {
          throw invalid("IPAddress", ref, "The IP address is not reserved in " + r.scope() + " of this project.");
        }
      } else {
        address = resolve(ref, "addresses", r, "IPAddress");
      }
      if (!address.path("addressType").asText().equals(wantType)) {
        throw invalid("IPAddress", ref, "A forwarding rule with loadBalancingScheme " + scheme + " needs an "
            + wantType + " address; '" + address.path("name").asText() + "' is " + address.path("addressType").asText()
            + ".");
      }
      ip = address.path("address").asText();
    }
    for (ObjectNode other : forwardingRules.values()) {
      if (other.path("IPAddress").asText().equals(ip) && !other.path("name").asText().equals(fr.path("name").asText())) {
        List<Integer> theirs = FakeTraffic.ports(other);
        if (theirs.isEmpty() || ports.isEmpty() || theirs.stream().anyMatch(ports::contains)) {
          throw new Refusal(400, "ipInUseByAnotherResource", "IP '" + ip + "' is already being used by another resource"
              + " on an overlapping port: '" + relative(other.path("selfLink").asText()) + "'.");
        }
      }
    }
    fr.put("IPAddress", ip);
  }

  /** Explicit ports of a rule, validated ({@code []} for allPorts). */
  private static List<Integer> ports(ObjectNode fr, String scheme) {
    boolean all = fr.path("allPorts").asBoolean(false);
    boolean list = fr.has("ports") && !fr.path("ports").isEmpty();
    boolean range = fr.hasNonNull("portRange");
    if ((all ? 1 : 0) + (list ? 1 : 0) + (range ? 1 : 0) > 1) {
      throw invalid("ports", fr.path("ports"), "Only one of ports, portRange and allPorts may be set.");
    }
    if (!all && !list && !range) {
      if (scheme.equals("INTERNAL")) {
        throw invalid("ports", "[]", "A forwarding rule with loadBalancingScheme INTERNAL needs ports or allPorts.");
      }
      fr.put("allPorts", true); // an external passthrough rule without ports forwards them all
      return List.of();
    }
    if (list && fr.path("ports").size() > 5) {
      throw invalid("ports", fr.path("ports"), "At most 5 ports may be specified.");
    }
    for (JsonNode p : fr.path("ports")) {
      if (!p.asText().matches("\\d{1,5}") || p.asInt() < 1 || p.asInt() > 65535) {
        throw invalid("ports", p.asText(), "Each port must be a number between 1 and 65535.");
      }
    }
    if (range && (!FakeRules.validPortRange(fr.path("portRange").asText())
        || fr.path("portRange").asText().startsWith("0"))) {
      throw invalid("portRange", fr.path("portRange").asText(), "Must be a port or a range PORT-PORT within 1-65535.");
    }
    return FakeTraffic.ports(fr);
  }

  private void firewall(FakeCompute.Route r, ObjectNode fw, ObjectNode before) {
    fw.put("kind", "compute#firewall");
    String network = fw.path("network").asText("global/networks/default");
    String net = refName(network, "networks");
    if (net == null) {
      throw invalid("network", network, "Must be a URL to a network resource.");
    }
    if (!fake.networks.contains(net)) {
      throw FakeRules.notFound("projects/" + r.project() + "/global/networks/" + net);
    }
    String url = FakeCompute.BASE + "projects/" + r.project() + "/global/networks/" + net;
    if (before != null && !before.path("network").asText().equals(url)) {
      throw invalid("network", network, "The network of a firewall rule cannot be changed.");
    }
    fw.put("network", url);
    String direction = oneOf(fw, "direction", "INGRESS", "INGRESS", "EGRESS");
    fw.put("direction", direction);
    fw.put("priority", intIn(fw, "priority", 0, 65535, 1000));
    boolean allowed = fw.has("allowed") && !fw.path("allowed").isEmpty();
    boolean denied = fw.has("denied") && !fw.path("denied").isEmpty();
    if (allowed == denied) {
      throw allowed ? invalid("denied", fw.path("denied"), "Only one of allowed and denied may be set.")
          : FakeRules.required("allowed");
    }
    String rules = allowed ? "allowed" : "denied";
    int n = 0;
    for (JsonNode rule : fw.path(rules)) {
      String field = rules + "[" + n++ + "]";
      String protocol = rule.path("IPProtocol").asText(null);
      if (protocol == null) {
        throw FakeRules.required(field + ".IPProtocol");
      }
      if (!protocol.matches("tcp|udp|icmp|esp|ah|sctp|ipip|all") && !(protocol.matches("\\d{1,3}")
          && Integer.parseInt(protocol) <= 255)) {
        throw invalid(field + ".IPProtocol", protocol, "Must be one of tcp, udp, icmp, esp, ah, sctp, ipip, all or"
            + " an IP protocol number.");
      }
      for (JsonNode p : rule.path("ports")) {
        if (!protocol.matches("tcp|udp|sctp|all")) {
          throw invalid(field + ".ports", p.asText(), "Ports may be given only for tcp, udp, sctp or all.");
        }
        if (!FakeRules.validPortRange(p.asText())) {
          throw invalid(field + ".ports", p.asText(), "Must be a port or a range PORT-PORT within 0-65535.");
        }
      }
    }
    String ranges = direction.equals("INGRESS") ? "sourceRanges" : "destinationRanges";
    for (JsonNode range : fw.path(ranges)) {
      if (!FakeRules.validCidr(range.asText())) {
        throw invalid(ranges, range.asText(), "Must be an IPv4 address or CIDR range.");
      }
    }
    if (direction.equals("INGRESS") && fw.path("sourceRanges").isEmpty() && fw.path("sourceTags").isEmpty()
        && fw.path("sourceServiceAccounts").isEmpty()) {
      throw FakeRules.required("sourceRanges");
    }
    for (String tags : List.of("targetTags", "sourceTags")) {
      for (JsonNode tag : fw.path(tags)) {
        if (!FakeRules.TAG.matcher(tag.asText()).matches()) {
          throw invalid(tags, tag.asText(), "Must be a match of regex '(?:[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?)'");
        }
      }
    }
    if (!fw.path("targetTags").isEmpty() && !fw.path("targetServiceAccounts").isEmpty()) {
      throw invalid("targetServiceAccounts", fw.path("targetServiceAccounts"),
          "targetTags and targetServiceAccounts cannot both be set.");
    }
    if (fw.path("description").asText("").length() > 2048) {
      throw invalid("description", "...", "At most 2048 characters.");
    }
  }

  /** The backend services whose backends include the group, as (drainingTimeoutSec) — 0 when none drains. */
  int drainingSeconds(String instanceGroupUrl) {
    int max = 0;
    for (ObjectNode bs : backendServices.values()) {
      for (JsonNode b : bs.path("backends")) {
        if (sameGroup(b.path("group").asText(), instanceGroupUrl)) {
          max = Math.max(max, at(bs, "connectionDraining.drainingTimeoutSec").asInt(0));
        }
      }
    }
    return max;
  }

  /** The backend service naming the group as a backend, or null. */
  String backendServiceUsing(String instanceGroupUrl) {
    for (ObjectNode bs : backendServices.values()) {
      for (JsonNode b : bs.path("backends")) {
        if (sameGroup(b.path("group").asText(), instanceGroupUrl)) {
          return relative(bs.path("selfLink").asText());
        }
      }
    }
    return null;
  }
}
