package io.dustcloud.testing.gce;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An in-process fake of the Compute REST API subset Dustcloud uses (see
 * {@code shared/gce-rest.md}), speaking the wire protocol of {@code google-cloud-compute}'s REST
 * transport: images, instance templates, zonal and regional managed instance groups (with
 * {@code deleteInstances}, named ports, autohealing policies, lifecycle and redistribution
 * policies, PATCH as a JSON merge patch), instance groups' named ports, instances
 * ({@code get}, {@code list}, {@code aggregatedList}), regional health checks, regional backend
 * services ({@code getHealth}), regional addresses, regional forwarding rules and firewalls;
 * operations (answered DONE, or RUNNING for {@link #operationMillis} so the client polls), and
 * requestId de-duplication (a repeated id returns the first operation, with no second effect).
 * Request bodies are validated as GCE does ({@link FakeNet}, {@link FakeGroups}, {@link
 * FakeRules}): a refused call answers GCE's status, reason and message. It counts calls by
 * method and injects {@link FakeFaults}. VM creations fail on demand ({@link #failCreations},
 * {@link #failCreationsQuietly}), each failed attempt kept in the group's {@code listErrors};
 * every VM has a serial console of its own ({@link FakeConsole}).
 *
 * <p>The data plane is real, on loopback ({@link FakeTraffic}): every incarnation of an
 * instance has its own {@code networkIP} (127.1.x.y) and, {@link #bootMillis} after it is
 * RUNNING, an HTTP server there on its template's {@code dustcloud-port} ({@link
 * InstanceServer}: {@code /}, {@code /health}, {@code /metrics}, modes set through {@link
 * #instanceModes()}); a health checker probes each backend at its check's interval, timeout
 * and thresholds (times {@link #healthCheckTimeScale}); each forwarding rule is a TCP proxy on
 * its address (127.2.x.y) sending new connections round robin to healthy backends that are not
 * draining. An instance leaving a group that is the backend of a backend service with
 * connection draining stays DELETING / RECREATING for the draining time: no new connections,
 * existing ones served, then closed. Instance servers bound a connection's age ({@link
 * #maxConnectionAgeMillis}): past it they answer {@code Connection: close}, like nginx's
 * {@code keepalive_time}, which is what lets keep-alive clients leave a draining instance
 * gracefully. {@link #close()} stops every thread and socket.
 */
public final class FakeCompute implements AutoCloseable {
  static final String BASE = "https://www.googleapis.com/compute/v1/";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern FILTER_TERM = Pattern.compile("([\\w.-]+)\\s*=\\s*\"?([^\"\\s]*)\"?");

  public final FakeFaults faults = new FakeFaults();
  /**
   * Items per page of a listing when the caller asks for no fewer (GCE: 500, also the most one
   * may ask for). Tests lower it to see listings take several requests.
   */
  public volatile int pageSize = FakePages.MAX_RESULTS;
  /** How long a new or recreated instance stays PROVISIONING, then STAGING. */
  public volatile long provisioningMillis = 0;
  public volatile long stagingMillis = 0;
  /** How long an operation reports RUNNING before DONE (0: DONE in the first answer, never polled). */
  public volatile long operationMillis = 0;
  /**
   * Templates whose instances exit as soon as they boot (a unikernel rejecting its boot args):
   * once past STAGING they report TERMINATED, and so does each recreation of them.
   */
  public final java.util.Set<String> crashingTemplates = ConcurrentHashMap.newKeySet();
  /** How long an instance's server takes to listen once the instance is RUNNING (a slow boot). */
  public volatile long bootMillis = 0;
  /** A keep-alive connection to an instance server older than this is closed after its next answer. */
  public volatile long maxConnectionAgeMillis = 2000;
  /** False: no instance servers at all (scale benchmarks with thousands of instances). */
  public volatile boolean serveInstances = true;
  /**
   * What VM creations fail with now, code and message as GCE puts them in a managed instance's
   * {@code lastAttempt.errors} and the group's {@code listErrors} (see {@link #failCreations});
   * null: they succeed.
   */
  private volatile FakeGroup.Failure creationFailure;
  /** How often GCE tries again to create a VM it could not create; each failed try is a listErrors entry. */
  public volatile long creationRetryMillis = 10_000;
  /**
   * The project's rate quota, as GCE enforces it: at most {@code quotaPerWindow} calls (reads
   * and mutations, not operation polls) per window of {@code quotaWindowMillis} (a minute in
   * GCE), refilled when the next window starts; beyond it, 403 rateLimitExceeded. 0: no quota.
   */
  public volatile int quotaPerWindow = 0;
  public volatile long quotaWindowMillis = 60_000;
  private long quotaWindowStart;
  private int quotaUsed;
  private final AtomicLong quotaRefusals = new AtomicLong();

  /** Calls refused because the quota window was spent. */
  public long quotaRefusals() {
    return quotaRefusals.get();
  }

  private synchronized boolean overQuota() {
    int quota = quotaPerWindow;
    if (quota <= 0) {
      return false;
    }
    long now = millis.getAsLong();
    if (now - quotaWindowStart >= quotaWindowMillis) {
      quotaWindowStart = now - (now - quotaWindowStart) % quotaWindowMillis;
      quotaUsed = 0;
    }
    return ++quotaUsed > quota;
  }

  /** How long a guest takes to stop once asked (GCE: up to 90 s without ACPI power-off); see FakeGroup. */
  public volatile long guestShutdownMillis = 0;

  /** How long an image import takes (the image is PENDING meanwhile, its insert operation RUNNING). */
  public volatile long importMillis = 0;
  /** Image sources (as given in rawDisk.source) that are not a tarball holding disk.raw: their import fails. */
  public final java.util.Set<String> badImageSources = ConcurrentHashMap.newKeySet();

  /** The bucket of the tests' artifacts, and the digest each of its objects records. */
  public static final String TEST_BUCKET = "dustcloud-test";
  public static final String TEST_SHA256 = "0".repeat(64);

  /** A Cloud Storage object as the fake serves it: its bytes, and its custom metadata sha256 (null: none). */
  public record StoredObject(byte[] bytes, String sha256Metadata) {}

  /** Objects by {@code gs://bucket/object}; see {@link #storage}. */
  public final Map<String, StoredObject> objects = new ConcurrentHashMap<>();
  /**
   * Buckets whose every object (unless in {@link #objects}) is a stand-in artifact whose
   * metadata names this sha256, as the builder uploads them; the GCE tests' artifacts live there.
   */
  public final Map<String, String> bucketSha256 = new ConcurrentHashMap<>();
  private final AtomicLong storageReads = new AtomicLong();

  /** Metadata and media requests answered by the fake Cloud Storage JSON API. */
  public long storageReads() {
    return storageReads.get();
  }

  /**
   * Quota, stockout, permission: every instance created from now on stays uncreated, with GCE's
   * error in its {@code lastAttempt} and in the group's {@code listErrors}, until {@link #allowCreations}.
   */
  public void failCreations(String code, String message) {
    creationFailure = new FakeGroup.Failure(code, message, false);
  }

  /**
   * As {@link #failCreations}, but the managed instances carry no {@code lastAttempt} (GCE between
   * two attempts): they show only as CREATING without a VM, and the group's {@code listErrors}
   * alone tells why.
   */
  public void failCreationsQuietly(String code, String message) {
    creationFailure = new FakeGroup.Failure(code, message, true);
  }

  public void allowCreations() {
    creationFailure = null;
  }
  /** Multiplies health-check intervals, timeouts and autohealing's initial delay (0.2: five times faster). */
  public volatile double healthCheckTimeScale = 1.0;
  /**
   * True: health-check probes reach an instance only when a firewall rule admits GCE's prober
   * ranges to it on the checked port ({@link FakeFirewalls}); false (default): the fake's
   * network lets every probe through.
   */
  public volatile boolean enforceFirewalls = false;
  /** Networks that exist (firewalls must name one); {@code default} always does. */
  public final java.util.Set<String> networks = ConcurrentHashMap.newKeySet();

  private final HttpServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "fake-compute");
    t.setDaemon(true);
    return t;
  });
  private final LongSupplier millis;
  private final Map<String, AtomicLong> calls = new ConcurrentHashMap<>();
  private final AtomicLong ids = new AtomicLong(1000);
  // state, guarded by this
  private final Map<String, ObjectNode> images = new LinkedHashMap<>();
  /** Per image being imported: {when the import ends, 1 if it fails}. */
  private final Map<String, long[]> imports = new HashMap<>();
  private final Map<String, ObjectNode> templates = new LinkedHashMap<>();
  private final Map<String, FakeGroup> groups = new LinkedHashMap<>();
  private final Map<String, ObjectNode> operations = new HashMap<>();
  private final Map<String, ObjectNode> byRequestId = new HashMap<>();
  private final Map<String, Long> doneAt = new HashMap<>();
  final FakeNet net = new FakeNet(this);
  private final InstanceModes modes = new InstanceModes();
  private final AtomicLong autohealed = new AtomicLong();
  final FakeTraffic traffic;
  /** Loopback addresses, unique in this JVM; each JVM starts at a random offset so parallel test runs rarely meet. */
  private static final AtomicLong INSTANCE_IPS = new AtomicLong(java.util.concurrent.ThreadLocalRandom.current().nextInt(60_000));
  private static final AtomicLong ADDRESS_IPS = new AtomicLong(java.util.concurrent.ThreadLocalRandom.current().nextInt(60_000));

  public FakeCompute() {
    this(System::currentTimeMillis);
  }

  public FakeCompute(LongSupplier millis) {
    this.millis = millis;
    // the tests' artifacts: every object in the test bucket carries the digest the tests' specs name
    bucketSha256.put(TEST_BUCKET, TEST_SHA256);
    try {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 200);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    networks.add("default");
    traffic = new FakeTraffic(this);
    server.start();
    traffic.start();
  }

  /** The endpoint to give the client: {@code http://127.0.0.1:PORT}. */
  public String endpoint() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  // ---- what tests read ----

  /**
   * What the fake load balancers did: connections accepted, those sent to an unhealthy backend
   * because none was healthy, those closed at once for want of any backend, requests (other
   * than the health-check path and /metrics) that a backend received through a load balancer
   * while its mode was not HEALTHY, and requests through a load balancer per instance name.
   */
  public record LbStats(long connections, long connectionsToUnhealthy, long connectionsWithoutBackend,
      long requestsToUnhealthy, Map<String, Long> requestsByBackend) {}

  public LbStats lbStats() {
    return traffic.stats();
  }

  /** The boot arguments a template's instances run with (its {@code dustcloud-boot-args} metadata). */
  static String bootArgs(JsonNode template) {
    for (JsonNode item : template.path("properties").path("metadata").path("items")) {
      if (item.path("key").asText().equals("dustcloud-boot-args")) {
        return item.path("value").asText();
      }
    }
    return "";
  }

  /** The prefix of every thread of this fake's data plane (load balancers, instance servers, probes). */
  public String threadPrefix() {
    return traffic.threadPrefix;
  }

  public InstanceModes instanceModes() {
    return modes;
  }

  /** Instances recreated by autohealing. */
  public long autohealed() {
    return autohealed.get();
  }

  public synchronized Map<String, ObjectNode> healthChecks() {
    return copies(net.healthChecks);
  }

  public synchronized Map<String, ObjectNode> backendServices() {
    return copies(net.backendServices);
  }

  public synchronized Map<String, ObjectNode> forwardingRules() {
    return copies(net.forwardingRules);
  }

  /** Addresses with their status (RESERVED / IN_USE) as GET shows them. */
  public synchronized Map<String, ObjectNode> addresses() {
    Map<String, ObjectNode> out = new java.util.TreeMap<>();
    net.addresses.forEach((k, v) -> out.put(FakeGroup.last(k), (ObjectNode) net.read(
        new Route("addresses.get", "x", k.substring(0, k.lastIndexOf('/')), "addresses", FakeGroup.last(k), null),
        Map.of(), null)));
    return out;
  }

  public synchronized Map<String, ObjectNode> firewalls() {
    return copies(net.firewalls);
  }

  private static Map<String, ObjectNode> copies(Map<String, ObjectNode> items) {
    Map<String, ObjectNode> out = new java.util.TreeMap<>();
    items.forEach((k, v) -> out.put(FakeGroup.last(k), v.deepCopy()));
    return out;
  }

  /** Instance name → networkIP of the group's current incarnations (draining ones included). */
  public synchronized Map<String, String> instanceIps(String key) {
    Map<String, String> out = new LinkedHashMap<>();
    groups.get(key).instances.forEach(i -> out.put(i.name, i.ip));
    return out;
  }

  /** Instance name → DELETING / RECREATING for the group's instances that are draining now. */
  public synchronized Map<String, String> draining(String key) {
    FakeGroup g = groups.get(key);
    g.settle();
    Map<String, String> out = new LinkedHashMap<>();
    g.instances.stream().filter(i -> i.leaving != null).forEach(i -> out.put(i.name, i.leaving));
    return out;
  }

  /** Calls by method, e.g. {@code instanceGroupManagers.patch}. */
  public Map<String, Long> calls() {
    Map<String, Long> out = new java.util.TreeMap<>();
    calls.forEach((k, v) -> out.put(k, v.get()));
    return out;
  }

  public long mutatingCalls() {
    return calls().entrySet().stream().filter(e -> mutating(e.getKey())).mapToLong(Map.Entry::getValue).sum();
  }

  public long readCalls() {
    return calls().entrySet().stream().filter(e -> !mutating(e.getKey())).mapToLong(Map.Entry::getValue).sum();
  }

  public void resetCounts() {
    calls.clear();
  }

  public synchronized List<String> imageNames() {
    return List.copyOf(images.keySet());
  }

  /** The labels the image was inserted with. */
  public synchronized Map<String, String> imageLabels(String name) {
    Map<String, String> labels = new java.util.TreeMap<>();
    images.get(name).path("labels").fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
    return labels;
  }

  public synchronized List<String> templateNames() {
    return List.copyOf(templates.keySet());
  }

  /** Groups as {@code zones/Z/NAME} or {@code regions/R/NAME}. */
  public synchronized List<String> groupKeys() {
    return List.copyOf(groups.keySet());
  }

  public synchronized ObjectNode group(String key) {
    FakeGroup g = groups.get(key);
    return g == null ? null : g.resource.deepCopy();
  }

  /**
   * One change of a group as the fake applied it: the API method ({@code insert}, {@code patch},
   * {@code resize}, {@code deleteInstances}, or {@code byHand}), then the split of its versions
   * (template → instances it targets, the rest-taking version resolved against targetSize, in
   * the versions' order), its targetSize, and how many instances it then held.
   */
  public record GroupChange(String method, Map<String, Integer> versions, int targetSize, int instances) {}

  /** Every change of the group's versions or size, oldest first (recreateInstances changes neither). */
  public synchronized List<GroupChange> history(String key) {
    return List.copyOf(groups.get(key).history);
  }

  /** An instance template as inserted (null when there is none). */
  public synchronized ObjectNode template(String name) {
    ObjectNode t = templates.get(name);
    return t == null ? null : t.deepCopy();
  }

  /** Template name of each instance of a group. */
  public synchronized Map<String, String> instanceTemplates(String key) {
    Map<String, String> out = new LinkedHashMap<>();
    groups.get(key).instances.forEach(i -> out.put(i.name, i.template));
    return out;
  }

  // ---- what tests do "by hand", as an SRE would in the console ----

  public synchronized void resizeByHand(String key, int size) {
    FakeGroup g = groups.get(key);
    g.resource.put("targetSize", size);
    g.converge(drainMillis(g));
    g.record("byHand");
  }

  /** Points the group at one template with a PROACTIVE policy, as a rolling update from the console does. */
  public synchronized void setTemplateByHand(String key, String template) {
    FakeGroup g = groups.get(key);
    g.resource.putObject("updatePolicy").put("type", "PROACTIVE").put("minimalAction", "REPLACE");
    g.resource.remove("versions");
    g.resource.putArray("versions").addObject().put("instanceTemplate", BASE + "projects/x/global/instanceTemplates/" + template);
    g.converge();
    g.record("byHand");
  }

  // ---- HTTP ----

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      String verb = ex.getRequestMethod();
      String override = ex.getRequestHeaders().getFirst("X-HTTP-Method-Override");
      if (override != null) {
        verb = override;
      }
      String path = ex.getRequestURI().getPath();
      Map<String, String> query = query(ex.getRequestURI().getRawQuery());
      byte[] body = ex.getRequestBody().readAllBytes();
      if (path.startsWith("/storage/v1/b/")) {
        storage(ex, path, query);
        return;
      }
      Route route = Route.of(verb, path);
      if (route == null) {
        send(ex, 404, error(404, "notFound", "no such method: " + verb + " " + path));
        return;
      }
      calls.computeIfAbsent(route.method, k -> new AtomicLong()).incrementAndGet();
      long latency = faults.latencyMillis;
      if (latency > 0) {
        Thread.sleep(latency);
      }
      java.util.concurrent.CountDownLatch hold = faults.hold;
      if (hold != null) {
        hold.await();
      }
      if (route.method.equals("operations.wait")) {
        Answer waited = awaitOperation(route);
        send(ex, waited.status, waited.body);
        return;
      }
      boolean mutating = mutating(route.method);
      if (!route.method.startsWith("operations.") && overQuota()) {
        quotaRefusals.incrementAndGet();
        send(ex, 403, error(403, "rateLimitExceeded", "Quota exceeded for quota metric 'Queries' and limit"
            + " 'Queries per minute' of service 'compute.googleapis.com' for consumer 'project_number:0'."));
        return;
      }
      FakeFaults.Kind fault = route.method.startsWith("operations.") ? null : faults.draw(route.method, mutating);
      if (fault == FakeFaults.Kind.TOO_MANY_REQUESTS) {
        send(ex, 429, error(429, "rateLimitExceeded", "Too many requests"));
        return;
      }
      if (fault == FakeFaults.Kind.UNAVAILABLE) {
        send(ex, 503, error(503, "backendError", "The service is currently unavailable."));
        return;
      }
      if (fault == FakeFaults.Kind.RATE_LIMIT_EXCEEDED) {
        send(ex, 403, error(403, "rateLimitExceeded",
            "Quota exceeded for quota metric 'Queries' and limit 'Queries per minute' of service 'compute.googleapis.com'"));
        return;
      }
      if (fault == FakeFaults.Kind.PERMISSION_DENIED) {
        send(ex, 403, error(403, "forbidden", "Required '" + FakeFaults.permission(route.method) + "' permission for '"
            + FakeFaults.resource(route, body) + "'"));
        return;
      }
      if (fault == FakeFaults.Kind.ORG_POLICY) {
        send(ex, 412, error(412, "conditionNotMet", FakeFaults.orgPolicy(route, body)));
        return;
      }
      Answer answer;
      synchronized (this) {
        try {
          answer = mutating
              ? mutate(route, query, body, fault == FakeFaults.Kind.OPERATION_ERROR)
              : read(route, query, body.length == 0 ? JSON.createObjectNode() : parse(body));
          if (!mutating && answer.status == 200 && FakePages.paged(route.method)) {
            answer = new Answer(200, FakePages.page(answer.body,
                route.method.endsWith(".listManagedInstances") ? "managedInstances" : "items", query, pageSize));
          }
        } catch (FakeRules.Refusal refused) {
          answer = new Answer(refused.status, refused.body);
        }
        if (mutating) {
          traffic.publish(snapshot());
        }
      }
      if (fault == FakeFaults.Kind.DROP_AFTER_EFFECT) {
        return; // closing without a response drops the connection
      }
      send(ex, answer.status, answer.body);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      send(ex, 500, error(500, "internalError", e.toString()));
    }
  }

  private record Answer(int status, JsonNode body) {}

  /** The Cloud Storage JSON API's object GET: metadata ({@code fields=metadata,…}) or media ({@code alt=media}). */
  private void storage(HttpExchange ex, String path, Map<String, String> query) throws IOException {
    storageReads.incrementAndGet();
    String[] s = path.substring("/storage/v1/b/".length()).split("/o/", 2);
    if (s.length != 2) {
      send(ex, 400, error(400, "invalid", "not an object path: " + path));
      return;
    }
    String bucket = URLDecoder.decode(s[0], StandardCharsets.UTF_8);
    String object = URLDecoder.decode(s[1], StandardCharsets.UTF_8);
    StoredObject o = objects.get("gs://" + bucket + "/" + object);
    if (o == null && bucketSha256.containsKey(bucket)) {
      o = new StoredObject(("stand-in " + object).getBytes(StandardCharsets.UTF_8), bucketSha256.get(bucket));
    }
    if (o == null) {
      send(ex, 404, error(404, "notFound", "No such object: " + bucket + "/" + object));
      return;
    }
    if ("media".equals(query.get("alt"))) {
      ex.getResponseHeaders().set("Content-Type", "application/octet-stream");
      ex.sendResponseHeaders(200, o.bytes().length);
      ex.getResponseBody().write(o.bytes());
      return;
    }
    ObjectNode meta = JSON.createObjectNode();
    meta.put("size", Integer.toString(o.bytes().length));
    if (o.sha256Metadata() != null) {
      meta.putObject("metadata").put("sha256", o.sha256Metadata());
    }
    send(ex, 200, meta);
  }

  /** A parsed path: {@code method} names the API method; scope is {@code global}, {@code zones/Z} or {@code regions/R}. */
  record Route(String method, String project, String scope, String collection, String name, String action) {
    static Route of(String verb, String path) {
      String prefix = "/compute/v1/projects/";
      if (!path.startsWith(prefix)) {
        return null;
      }
      String[] s = path.substring(prefix.length()).split("/");
      if (s.length < 3) {
        return null;
      }
      String project = s[0];
      int i;
      String scope;
      if (s[1].equals("global")) {
        scope = "global";
        i = 2;
      } else if (s[1].equals("aggregated") && s.length == 3 && verb.equals("GET")) {
        return new Route(s[2] + ".aggregatedList", project, "aggregated", s[2], null, null);
      } else if ((s[1].equals("zones") || s[1].equals("regions")) && s.length >= 4) {
        scope = s[1] + "/" + s[2];
        i = 3;
      } else {
        return null;
      }
      String collection = s[i];
      String name = s.length > i + 1 ? s[i + 1] : null;
      String action = s.length > i + 2 ? s[i + 2] : null;
      String method;
      if (name == null) {
        method = switch (verb) {
          case "GET" -> collection + ".list";
          case "POST" -> collection + ".insert";
          default -> null;
        };
      } else if (action == null) {
        method = switch (verb) {
          case "GET" -> collection + ".get";
          case "DELETE" -> collection + ".delete";
          case "PATCH" -> collection + ".patch";
          case "PUT" -> collection + ".update";
          default -> null;
        };
      } else if (verb.equals("GET") && collection.equals("instances") && action.equals("serialPort")) {
        method = "instances.getSerialPortOutput";
      } else if (verb.equals("GET") && action.equals("listErrors")) {
        method = collection + ".listErrors";
      } else {
        method = verb.equals("POST") ? collection + "." + action : null;
      }
      if (method == null) {
        return null;
      }
      if (scope.startsWith("regions/") && REGION_PREFIXED.contains(collection)) {
        method = "region" + Character.toUpperCase(method.charAt(0)) + method.substring(1);
      }
      return new Route(method, project, scope, collection, name, action);
    }
  }

  /** Collections whose regional methods GCE names {@code regionX} (regionHealthChecks.insert, …). */
  static final java.util.Set<String> REGION_PREFIXED = java.util.Set.of("instanceGroupManagers", "instanceGroups",
      "healthChecks", "backendServices");

  static boolean mutating(String method) {
    return !(method.endsWith(".get") || method.endsWith(".list") || method.endsWith(".listManagedInstances")
        || method.endsWith(".getSerialPortOutput") || method.endsWith(".getHealth") || method.endsWith(".aggregatedList")
        || method.endsWith(".listErrors")
        || method.startsWith("operations."));
  }

  // ---- reads ----

  private Answer read(Route r, Map<String, String> query, JsonNode body) {
    groups.values().forEach(FakeGroup::settle);
    if (net.store(r.collection) != null && r.scope.equals("aggregated")) {
      return new Answer(200, net.aggregated(r.collection, query.getOrDefault("filter", "")));
    }
    if (r.collection.equals("instanceGroupManagers") && r.scope.equals("aggregated")) {
      // every group of the project by scope matching the filter, each as GET shows it (fingerprint, status.isStable)
      ObjectNode out = JSON.createObjectNode();
      ObjectNode items = out.putObject("items");
      String filter = query.getOrDefault("filter", "");
      groups.forEach((key, g) -> {
        ObjectNode view = g.view(r.project);
        if (!matches(view, filter)) {
          return;
        }
        String scope = key.substring(0, key.lastIndexOf('/'));
        ObjectNode perScope = items.has(scope) ? (ObjectNode) items.get(scope) : items.putObject(scope);
        (perScope.has("instanceGroupManagers") ? (ArrayNode) perScope.get("instanceGroupManagers")
            : perScope.putArray("instanceGroupManagers")).add(view);
      });
      return new Answer(200, out);
    }
    if (net.store(r.collection) != null && (r.scope.startsWith("regions/") == !r.collection.equals("firewalls"))) {
      return new Answer(200, net.read(r, query, body));
    }
    return switch (r.collection) {
      case "images" -> {
        settleImports();
        yield r.name == null ? list(images, "items", query) : get(images.get(r.name), r.name);
      }
      case "instanceTemplates" -> r.name == null ? list(templates, "items", query) : get(templates.get(r.name), r.name);
      case "operations" -> operation(r);
      case "instances" -> r.method.equals("instances.getSerialPortOutput") ? serialPort(r, query)
          : new Answer(200, FakeInstances.list(this, r, query.getOrDefault("filter", "")));
      case "instanceGroups" -> {
        FakeGroup g = groups.get(r.scope + "/" + r.name);
        yield g == null ? notFound(r.name) : new Answer(200, FakeGroups.instanceGroup(g));
      }
      case "instanceGroupManagers" -> {
        FakeGroup g = groups.get(r.scope + "/" + r.name);
        if (g == null) {
          yield notFound(r.name);
        }
        if ("listErrors".equals(r.action)) {
          ObjectNode out = JSON.createObjectNode();
          ArrayNode items = out.putArray("items"); // paged as every listing is (FakePages)
          g.errors.forEach(e -> items.add(e.deepCopy()));
          yield new Answer(200, out);
        }
        if ("listManagedInstances".equals(r.action)) {
          ObjectNode out = JSON.createObjectNode();
          out.set("managedInstances", g.managedInstances(r.project));
          yield new Answer(200, out);
        }
        yield new Answer(200, g.view(r.project));
      }
      default -> notFound(r.collection);
    };
  }

  /**
   * The serial console of the instance's current VM ({@link FakeConsole}): its own boot lines,
   * and a crashing one's panic; 404 when the instance has no VM (none, or not created yet).
   */
  private Answer serialPort(Route r, Map<String, String> query) {
    long now = millis.getAsLong();
    for (FakeGroup g : groups.values()) {
      for (FakeGroup.Instance i : g.instances) {
        if (i.name.equals(r.name) && r.scope.equals(g.zoneUrlPrefix.substring(g.zoneUrlPrefix.indexOf("/zones/") + 1))) {
          String status = g.status(i, now);
          if (status.isEmpty()) {
            break;
          }
          String text = FakeConsole.text(i.name, i.incarnation, i.id, bootArgs(templates.getOrDefault(i.template,
              JSON.createObjectNode())), status, crashingTemplates.contains(i.template));
          return new Answer(200, FakeConsole.answer(text, query,
              BASE + "projects/" + r.project + "/" + r.scope + "/instances/" + r.name));
        }
      }
    }
    return notFound(r.name);
  }

  private Answer operation(Route r) {
    ObjectNode op = operations.get(r.scope + "/" + r.name);
    if (op == null) {
      return notFound(r.name);
    }
    return new Answer(200, withStatus(op));
  }

  private Answer list(Map<String, ObjectNode> items, String field, Map<String, String> query) {
    ObjectNode out = JSON.createObjectNode();
    ArrayNode array = out.putArray(field);
    String filter = query.getOrDefault("filter", "");
    for (ObjectNode item : items.values()) {
      if (matches(item, filter)) {
        array.add(item);
      }
    }
    return new Answer(200, out);
  }

  /** Terms {@code a.b.c = "v"} joined by AND, as Dustcloud writes them. */
  static boolean matches(JsonNode item, String filter) {
    Matcher m = FILTER_TERM.matcher(filter);
    while (m.find()) {
      JsonNode node = item;
      for (String part : m.group(1).split("\\.")) {
        node = node.path(part);
      }
      if (!node.asText("\u0000").equals(m.group(2))) {
        return false;
      }
    }
    return true;
  }

  private static Answer get(ObjectNode item, String name) {
    return item == null ? notFound(name) : new Answer(200, item);
  }

  // ---- mutations ----

  private Answer mutate(Route r, Map<String, String> query, byte[] body, boolean failOperation) {
    String requestId = query.get("requestId");
    if (requestId != null && byRequestId.containsKey(r.project + "/" + requestId)) {
      return new Answer(200, withStatus(byRequestId.get(r.project + "/" + requestId)));
    }
    ObjectNode op;
    if (failOperation) {
      // an insert names its target in the body, as its operation's targetLink does
      op = operation(r, r.name != null ? r.name : body.length == 0 ? "" : parse(body).path("name").asText());
      FakeFaults.OperationError e = faults.operationError();
      fail(op, e.httpStatus(), e.code(), e.message());
    } else {
      JsonNode json = body.length == 0 ? JSON.createObjectNode() : parse(body);
      Answer refused = apply(r, query, json);
      if (refused != null) {
        return refused;
      }
      op = operation(r, r.name == null ? json.path("name").asText() : r.name);
      long[] imported = r.method.equals("images.insert") ? imports.get(json.path("name").asText()) : null;
      if (imported != null) {
        // the insert's operation runs as long as the import, and fails with it
        doneAt.put(op.path("name").asText(), imported[0]);
        if (imported[1] == 1) {
          fail(op, 400, "INVALID_FIELD_VALUE", "Invalid value for field 'resource.rawDisk.source': '"
              + json.path("rawDisk").path("source").asText()
              + "'. The image file is not a gzipped tar archive holding a file named disk.raw.");
        }
      }
    }
    if (requestId != null) {
      byRequestId.put(r.project + "/" + requestId, op);
    }
    return new Answer(200, withStatus(op));
  }

  /** Applies a call's effect; an error answer when the call is refused (the API then creates no operation). */
  private Answer apply(Route r, Map<String, String> query, JsonNode body) {
    String now = Instant.ofEpochMilli(millis.getAsLong()).toString();
    if (net.store(r.collection) != null) {
      boolean regional = r.scope.startsWith("regions/");
      if (regional == r.collection.equals("firewalls")) {
        return notFound(r.collection);
      }
      net.apply(r, body, now);
      return null;
    }
    switch (r.method) {
      case "images.insert", "instanceTemplates.insert" -> {
        Map<String, ObjectNode> items = r.collection.equals("images") ? images : templates;
        FakeRules.name(body);
        String name = body.path("name").asText();
        if (items.containsKey(name)) {
          return alreadyExists(name);
        }
        if (r.collection.equals("images") && !body.path("rawDisk").has("source")) {
          return invalid("rawDisk.source is required");
        }
        ObjectNode item = ((ObjectNode) body).deepCopy();
        item.put("kind", r.collection.equals("images") ? "compute#image" : "compute#instanceTemplate");
        item.put("id", Long.toString(ids.incrementAndGet()));
        item.put("creationTimestamp", now);
        item.put("selfLink", BASE + "projects/" + r.project + "/global/" + r.collection + "/" + name);
        if (r.collection.equals("images")) {
          // an import takes time; a source that is not a tarball holding disk.raw ends FAILED
          boolean bad = badImageSources.contains(body.path("rawDisk").path("source").asText());
          item.put("status", importMillis > 0 ? "PENDING" : bad ? "FAILED" : "READY");
          imports.put(name, new long[] {millis.getAsLong() + importMillis, bad ? 1 : 0});
        }
        items.put(name, item);
        if (r.collection.equals("instanceTemplates") && bootArgs(item).contains("--broken")) {
          // like the example unikernel: booted with --broken, it fails its health check
          modes.setTemplateMode(name, InstanceModes.Mode.FAILING);
        }
        if (r.collection.equals("instanceTemplates") && bootArgs(item).contains("--no-such-flag")) {
          // like the example unikernel: an argument it does not know makes it exit at boot
          crashingTemplates.add(name);
        }
        return null;
      }
      case "images.delete" -> {
        return images.remove(r.name) == null ? notFound(r.name) : null;
      }
      case "instanceTemplates.delete" -> {
        if (!templates.containsKey(r.name)) {
          return notFound(r.name);
        }
        for (FakeGroup g : groups.values()) {
          if (g.targets().containsKey(r.name)) {
            return new Answer(400, error(400, "resourceInUseByAnotherResource",
                "The instance_template resource '" + r.name + "' is already being used by '" + g.name() + "'"));
          }
        }
        templates.remove(r.name);
        return null;
      }
      case "instanceGroupManagers.insert", "regionInstanceGroupManagers.insert" -> {
        FakeRules.name(body);
        String name = body.path("name").asText();
        String key = r.scope + "/" + name;
        if (groups.containsKey(key)) {
          return alreadyExists(name);
        }
        Answer bad = checkTemplates(body);
        if (bad != null) {
          return bad;
        }
        FakeGroups.validate(this, r, body);
        ObjectNode item = ((ObjectNode) body).deepCopy();
        item.put("kind", "compute#instanceGroupManager");
        item.put("id", Long.toString(ids.incrementAndGet()));
        item.put("creationTimestamp", now);
        item.put("selfLink", BASE + "projects/" + r.project + "/" + r.scope + "/instanceGroupManagers/" + name);
        String[] scope = r.scope.split("/");
        item.put(scope[0].equals("zones") ? "zone" : "region", BASE + "projects/" + r.project + "/" + r.scope);
        item.put("instanceGroup", BASE + "projects/" + r.project + "/" + r.scope + "/instanceGroups/" + name);
        String zone = scope[0].equals("zones") ? r.scope : "zones/" + scope[1] + "-b";
        FakeGroup g = new FakeGroup(item, BASE + "projects/" + r.project + "/" + zone, millis, provisioningMillis,
            stagingMillis, crashingTemplates::contains, births);
        g.creationFailure = () -> creationFailure;
        g.creationRetryMillis = () -> creationRetryMillis;
        g.guestShutdownMillis = () -> guestShutdownMillis;
        groups.put(key, g);
        g.converge();
        g.record("insert");
        return null;
      }
      default -> {
        return applyToGroup(r, query, body);
      }
    }
  }

  private Answer applyToGroup(Route r, Map<String, String> query, JsonNode body) {
    FakeGroup g = r.name == null ? null : groups.get(r.scope + "/" + r.name);
    if (g == null) {
      return notFound(r.name);
    }
    String method = r.method.replaceFirst("^regionI", "i");
    g.settle();
    switch (method) {
      case "instanceGroups.setNamedPorts" -> FakeGroups.setNamedPorts(this, r, g, body);
      case "instanceGroupManagers.delete" -> {
        String user = net.backendServiceUsing(g.resource.path("instanceGroup").asText());
        if (user != null) {
          throw FakeRules.inUse("instance_group", "projects/" + r.project + "/" + r.scope + "/instanceGroups/" + r.name,
              user);
        }
        groups.remove(r.scope + "/" + r.name);
      }
      case "instanceGroupManagers.patch" -> {
        if (body.has("fingerprint") && !body.path("fingerprint").asText().equals(g.resource.path("fingerprint").asText())) {
          return new Answer(412, error(412, "conditionNotMet", "Supplied fingerprint does not match current metadata fingerprint."));
        }
        Answer bad = checkTemplates(body);
        if (bad != null) {
          return bad;
        }
        ObjectNode patch = ((ObjectNode) body).deepCopy();
        patch.remove("fingerprint");
        ObjectNode next = g.resource.deepCopy();
        FakeRules.merge(next, patch); // JSON merge patch, as GCE's PATCH methods apply it
        FakeGroups.validate(this, r, next);
        g.resource.removeAll();
        g.resource.setAll(next);
        g.converge(drainMillis(g));
        g.record("patch");
      }
      case "instanceGroupManagers.resize" -> {
        String size = query.get("size");
        if (size == null || !size.matches("\\d{1,9}")) {
          throw FakeRules.invalid("size", size, "Must be a non-negative integer.");
        }
        g.resource.put("targetSize", Integer.parseInt(size));
        g.converge(drainMillis(g));
        g.record("resize");
      }
      case "instanceGroupManagers.recreateInstances" -> g.recreate(urls(body), drainMillis(g));
      case "instanceGroupManagers.deleteInstances" -> {
        List<String> urls = urls(body);
        List<String> strangers = g.strangers(urls);
        if (!strangers.isEmpty() && !body.path("skipInstancesOnValidationError").asBoolean(false)) {
          throw FakeRules.invalid("instances", strangers.get(0), "The instance is not a member of the managed"
              + " instance group '" + g.name() + "' (or is already being deleted).");
        }
        urls.removeAll(strangers);
        g.deleteInstances(urls, drainMillis(g));
        g.record("deleteInstances");
      }
      default -> {
        return notFound(r.method);
      }
    }
    return null;
  }

  private Answer checkTemplates(JsonNode group) {
    List<String> named = new ArrayList<>();
    group.path("versions").forEach(v -> named.add(FakeGroup.last(v.path("instanceTemplate").asText())));
    if (group.hasNonNull("instanceTemplate")) {
      named.add(FakeGroup.last(group.path("instanceTemplate").asText()));
    }
    for (String t : named) {
      if (!templates.containsKey(t)) {
        return invalid("The resource 'projects/x/global/instanceTemplates/" + t + "' was not found");
      }
    }
    return null;
  }

  private static List<String> urls(JsonNode body) {
    List<String> out = new ArrayList<>();
    body.path("instances").forEach(i -> out.add(i.asText()));
    return out;
  }

  private ObjectNode operation(Route r, String target) {
    String name = "operation-" + ids.incrementAndGet();
    ObjectNode op = JSON.createObjectNode();
    op.put("kind", "compute#operation");
    op.put("id", Long.toString(ids.get()));
    op.put("name", name);
    op.put("operationType", r.action != null ? r.action : r.method.substring(r.method.indexOf('.') + 1));
    op.put("targetLink", BASE + "projects/" + r.project + "/" + r.scope + "/" + r.collection + "/" + target);
    op.put("insertTime", Instant.ofEpochMilli(millis.getAsLong()).toString());
    op.put("selfLink", BASE + "projects/" + r.project + "/" + r.scope + "/operations/" + name);
    if (!r.scope.equals("global")) {
      String[] s = r.scope.split("/");
      op.put(s[0].equals("zones") ? "zone" : "region", BASE + "projects/" + r.project + "/" + r.scope);
    }
    operations.put(r.scope + "/" + name, op);
    doneAt.put(name, millis.getAsLong() + operationMillis);
    return op;
  }

  /** Imports that ended are READY, or FAILED when their source was bad. */
  private void settleImports() {
    long now = millis.getAsLong();
    imports.forEach((name, imp) -> {
      ObjectNode image = images.get(name);
      if (image != null && now >= imp[0]) {
        image.put("status", imp[1] == 1 ? "FAILED" : "READY");
      }
    });
  }

  private static void fail(ObjectNode op, int status, String code, String message) {
    op.put("httpErrorStatusCode", status);
    op.put("httpErrorMessage", status == 400 ? "BAD REQUEST" : status == 403 ? "FORBIDDEN"
        : status == 409 ? "CONFLICT" : status == 412 ? "PRECONDITION FAILED" : "SERVICE UNAVAILABLE");
    op.putObject("error").putArray("errors").addObject().put("code", code).put("message", message);
  }

  /**
   * {@code operations.wait}: the operation once it is DONE, or as it is when the wait ends
   * (GCE: after about 2 minutes; here 2 s of real time, so a test whose clock stands still is not
   * held long), without holding the fake while waiting.
   */
  private Answer awaitOperation(Route r) throws InterruptedException {
    long until = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(2);
    while (true) {
      JsonNode now;
      synchronized (this) {
        ObjectNode op = operations.get(r.scope + "/" + r.name);
        if (op == null) {
          return notFound(r.name);
        }
        now = withStatus(op);
      }
      if (now.path("status").asText().equals("DONE") || System.nanoTime() > until) {
        return new Answer(200, now);
      }
      Thread.sleep(10);
    }
  }

  private ObjectNode withStatus(ObjectNode op) {
    boolean done = millis.getAsLong() >= doneAt.getOrDefault(op.path("name").asText(), 0L);
    ObjectNode out = op.deepCopy();
    out.put("status", done ? "DONE" : "RUNNING");
    out.put("progress", done ? 100 : 0);
    return out;
  }

  // ---- answers ----

  private static Answer notFound(String name) {
    return new Answer(404, error(404, "notFound", "The resource '" + name + "' was not found"));
  }

  private static Answer alreadyExists(String name) {
    return new Answer(409, error(409, "alreadyExists", "The resource '" + name + "' already exists"));
  }

  private static Answer invalid(String message) {
    return new Answer(400, error(400, "invalid", message));
  }

  static ObjectNode error(int code, String reason, String message) {
    ObjectNode out = JSON.createObjectNode();
    ObjectNode e = out.putObject("error");
    e.put("code", code);
    e.put("message", message);
    e.putArray("errors").addObject().put("message", message).put("domain", "global").put("reason", reason);
    return out;
  }

  private static void send(HttpExchange ex, int status, JsonNode body) throws IOException {
    byte[] bytes = JSON.writeValueAsBytes(body);
    ex.getResponseHeaders().set("Content-Type", "application/json; charset=UTF-8");
    ex.sendResponseHeaders(status, bytes.length);
    ex.getResponseBody().write(bytes);
  }

  private static JsonNode parse(byte[] body) {
    try {
      return JSON.readTree(body);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> out = new HashMap<>();
    if (raw == null) {
      return out;
    }
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      out.put(k, v);
    }
    return out;
  }

  // ---- what the data plane and the traffic resources ask ----

  private final FakeGroup.Births births = new FakeGroup.Births() {
    @Override
    public long newId() {
      return ids.incrementAndGet();
    }

    @Override
    public String newIp() {
      return loopback(1, INSTANCE_IPS.getAndIncrement());
    }
  };

  private static String loopback(int second, long n) {
    long k = Math.floorMod(n, 256L * 254);
    return "127." + second + "." + (k / 254) + "." + (k % 254 + 1);
  }

  long newId() {
    return ids.incrementAndGet();
  }

  /** A fresh loopback address for a reserved or ephemeral address (127.2.x.y). */
  String newAddressIp() {
    return loopback(2, ADDRESS_IPS.getAndIncrement());
  }

  long now() {
    return millis.getAsLong();
  }

  synchronized Map<String, FakeGroup> groupsView() {
    return groups;
  }

  synchronized ObjectNode templateNode(String name) {
    return templates.get(name);
  }

  /** The group whose instance group a URL names ({@code zones/Z/instanceGroups/N}), as a group key, or null. */
  String groupKeyOf(String instanceGroupUrl) {
    String scope = FakeRules.refScope(instanceGroupUrl);
    String name = FakeRules.refName(instanceGroupUrl, "instanceGroups");
    String key = scope + "/" + name;
    return scope != null && name != null && groups.containsKey(key) ? key : null;
  }

  /** A group whose autohealing policy names the health check, as GCE names the user, or null. */
  String groupUsingHealthCheck(String healthCheckUrl) {
    for (FakeGroup g : groups.values()) {
      for (JsonNode p : g.resource.path("autoHealingPolicies")) {
        if (FakeNet.sameRef(p.path("healthCheck").asText(), healthCheckUrl, "healthChecks")) {
          return FakeNet.relative(g.resource.path("selfLink").asText());
        }
      }
    }
    return null;
  }

  private long drainMillis(FakeGroup g) {
    return net.drainingSeconds(g.resource.path("instanceGroup").asText()) * 1000L;
  }

  List<FakeTraffic.Vm> vmsOf(String key) {
    FakeGroup g = groups.get(key);
    List<FakeTraffic.Vm> out = new ArrayList<>();
    for (FakeGroup.Instance i : g.instances) {
      JsonNode props = templates.containsKey(i.template) ? templates.get(i.template).path("properties")
          : JSON.createObjectNode();
      List<String> tags = new ArrayList<>();
      props.path("tags").path("items").forEach(t -> tags.add(t.asText()));
      String network = FakeGroup.last(props.path("networkInterfaces").path(0).path("network").asText("default"));
      out.add(new FakeTraffic.Vm(i.id, i.name, i.template, i.ip, FakeInstances.port(templates.get(i.template)),
          g.zoneUrlPrefix + "/instances/" + i.name, key, g.runningSince(i), i.leaving != null, List.copyOf(tags),
          network));
    }
    return out;
  }

  /** One step of the control plane: drains that ended, autohealing, then a fresh snapshot for the data plane. */
  synchronized void tick() {
    for (FakeGroup g : groups.values()) {
      g.settle();
      FakeGroups.autoheal(this, g, autohealed);
    }
    traffic.publish(snapshot());
  }

  /** The health check a URL names, with its timing scaled, or null. */
  FakeTraffic.Check check(String url) {
    if (url.isEmpty()) {
      return null;
    }
    String scope = FakeRules.refScope(url);
    String name = FakeRules.refName(url, "healthChecks");
    ObjectNode hc = net.healthChecks.get(scope + "/" + name);
    if (hc == null) {
      return null;
    }
    boolean http = hc.path("type").asText().equals("HTTP");
    JsonNode spec = hc.path(http ? "httpHealthCheck" : "tcpHealthCheck");
    double scale = healthCheckTimeScale;
    return new FakeTraffic.Check(scope + "/" + name, http, spec.path("port").asInt(0), spec.path("requestPath").asText("/"),
        Math.round(hc.path("checkIntervalSec").asInt() * 1000 * scale),
        Math.round(hc.path("timeoutSec").asInt() * 1000 * scale), hc.path("healthyThreshold").asInt(),
        hc.path("unhealthyThreshold").asInt());
  }

  private FakeTraffic.Target target(FakeTraffic.Check check, FakeTraffic.Vm vm, List<String> probers) {
    int port = check.port() > 0 ? check.port() : vm.port();
    return new FakeTraffic.Target(check, vm, !enforceFirewalls
        || FakeFirewalls.admits(net.firewalls.values(), vm, port, probers));
  }

  private FakeTraffic.Snapshot snapshot() {
    Map<Long, FakeTraffic.Vm> vms = new HashMap<>();
    Map<String, FakeTraffic.Pool> pools = new HashMap<>();
    Map<String, FakeTraffic.Rule> rules = new HashMap<>();
    Map<String, FakeTraffic.Target> probes = new LinkedHashMap<>();
    for (String key : groups.keySet()) {
      if (serveInstances) { // thousands of instances without servers need no snapshot of each
        for (FakeTraffic.Vm vm : vmsOf(key)) {
          vms.put(vm.id(), vm);
        }
      }
      FakeTraffic.Check heal = check(groups.get(key).resource.path("autoHealingPolicies").path(0).path("healthCheck")
          .asText(""));
      if (heal != null) {
        vmsOf(key).forEach(vm -> probes.put(heal.key() + "|" + vm.id(), target(heal, vm,
            FakeFirewalls.INTERNAL_PROBERS)));
      }
    }
    net.backendServices.forEach((key, bs) -> {
      FakeTraffic.Check check = check(bs.path("healthChecks").path(0).asText(""));
      List<FakeTraffic.Vm> backends = new ArrayList<>();
      for (JsonNode b : bs.path("backends")) {
        String group = groupKeyOf(b.path("group").asText());
        if (group != null) {
          backends.addAll(vmsOf(group));
        }
      }
      if (check != null) {
        pools.put(key, new FakeTraffic.Pool(key, check, List.copyOf(backends)));
        List<String> probers = bs.path("loadBalancingScheme").asText().equals("INTERNAL")
            ? FakeFirewalls.INTERNAL_PROBERS : FakeFirewalls.EXTERNAL_PROBERS;
        backends.forEach(vm -> probes.put(check.key() + "|" + vm.id(), target(check, vm, probers)));
      }
    });
    net.forwardingRules.forEach((key, fr) -> {
      String bs = fr.path("backendService").asText();
      String scope = FakeRules.refScope(bs);
      rules.put(key, new FakeTraffic.Rule(key, fr.path("IPAddress").asText(), FakeTraffic.ports(fr),
          (scope == null ? key.substring(0, key.lastIndexOf('/')) : scope) + "/" + FakeRules.refName(bs,
              "backendServices")));
    });
    return new FakeTraffic.Snapshot(vms, pools, rules, List.copyOf(probes.values()));
  }

  @Override
  public void close() {
    faults.release();
    server.stop(0);
    traffic.close();
    executor.shutdownNow();
  }
}
