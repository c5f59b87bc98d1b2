package io.dustcloud.dev;

import io.fabric8.kubernetes.api.model.RootPathsBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Clock;
import java.util.Iterator;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * The front of the dev API server: answers what kubectl needs and fabric8's CRUD store lacks (discovery, Table
 * output, plain-HTTP watches, field selectors on any field, server-side apply, query strings on writes), and hands
 * everything else, websocket watches included, to the store.
 */
public final class DevDispatcher extends Dispatcher {

  /** The query parameters the store interprets (the rest can confuse it, e.g. "/status?fieldManager=x"). */
  private static final Set<String> STORE_PARAMS = Set.of("labelSelector", "fieldSelector", "watch", "resourceVersion");
  private static final int JOURNAL_CAPACITY = 10_000;
  private static final String SELF_SUBJECT_RULES_REVIEW = "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews";

  private final JournalingCrudDispatcher store;
  private final ChangeJournal journal;
  private final ResourceCatalog catalog;
  private final Discovery discovery;
  private final OpenApiDocuments openApi;
  private final HttpWatchResponder watches;
  private final PatchTranslator patches;
  private final AdmissionGate admission;
  private final GarbageCollector collector;
  private final DevFaults faults = new DevFaults(0);
  /** Ages in kubectl get's tables count to the wall clock, as a real server's do. */
  private final Clock clock = Clock.systemUTC();

  public DevDispatcher() {
    this.journal = new ChangeJournal(JOURNAL_CAPACITY);
    this.store = new JournalingCrudDispatcher(journal);
    this.catalog = new ResourceCatalog(store::handleGet);
    this.discovery = new Discovery(catalog);
    this.watches = new HttpWatchResponder(journal, store::getKey, store::handleGet);
    this.openApi = new OpenApiDocuments(catalog);
    this.admission = new AdmissionGate(store::handleGet);
    this.patches = new PatchTranslator(this::admitAndStore);
    this.collector = new GarbageCollector(journal, store::objects, catalog, store::handleDelete);
  }

  @Override
  public MockResponse dispatch(RecordedRequest request) {
    RequestPath target = RequestPath.parse(request.getPath());
    MockResponse response;
    try {
      MockResponse injected = faults.inject(request, target);
      if (injected != null) {
        return injected;
      }
      long before = journal.latest();
      response = route(request, target);
      if (request.method() != HttpMethod.GET && request.method() != HttpMethod.POST && !orphans(request, target)) {
        collector.collectAfter(before);
      }
    } catch (IllegalArgumentException e) {
      response = Responses.status(400, "BadRequest", e.getMessage());
    } catch (RuntimeException e) {
      // Without a response the client would hang: the mock server does not answer for a failed dispatcher.
      response = Responses.status(500, "InternalError", e.toString());
    }
    if (isWrite(request) && response.code() / 100 == 2 && !Responses.hasBody(response)) {
      response = deletedObject(target).orElse(response);
    }
    return withDefaults(response, target);
  }

  /** A delete that asks to leave the object's dependents alone (propagationPolicy Orphan). */
  private static boolean orphans(RecordedRequest request, RequestPath target) {
    if (request.method() != HttpMethod.DELETE) {
      return false;
    }
    String body = request.getBody() == null ? ""
        : new String(request.getBody().getBytes(), java.nio.charset.StandardCharsets.UTF_8);
    return "Orphan".equals(target.param("propagationPolicy"))
        || body.replace(" ", "").contains("\"propagationPolicy\":\"Orphan\"");
  }

  private static boolean isWrite(RecordedRequest request) {
    return request.method() == HttpMethod.PUT || request.method() == HttpMethod.PATCH;
  }

  /**
   * The store answers an update that removes the last finalizer of a deleting object with an empty body; clients
   * (kubectl patch, fabric8's edit) expect the object, so answer with its final state from the journal.
   */
  private Optional<MockResponse> deletedObject(RequestPath target) {
    AttributeSet key = store.getKey(target.path().replaceAll("/status$", ""));
    List<ChangeJournal.Change> deletions =
        journal.after(0, c -> c.type().equals("DELETED") && c.key().matches(key));
    return deletions.isEmpty() ? Optional.empty()
        : Optional.of(Responses.json(200, deletions.get(deletions.size() - 1).object()));
  }

  /** Faults to inject (reliability tests); all off unless a test sets them. */
  public DevFaults faults() {
    return faults;
  }

  @Override
  public void shutdown() {
    store.shutdown();
  }

  private MockResponse route(RecordedRequest request, RequestPath target) {
    String contentType = request.getHeader(Responses.CONTENT_TYPE);
    if (contentType != null && contentType.contains("protobuf")) {
      return Responses.status(415, "UnsupportedMediaType", "the dev API server only speaks JSON, not " + contentType);
    }
    if (isWebSocket(request)) {
      return store.dispatch(request);
    }
    MockResponse undeclared = admission.undeclaredSubresource(target);
    if (undeclared != null) {
      return undeclared;
    }
    if (request.method() == HttpMethod.GET) {
      return get(request, target);
    }
    if (request.method() == HttpMethod.PATCH && PatchTranslator.handles(request.getHeader(Responses.CONTENT_TYPE))) {
      return patches.patch(request, target.path(), target.param(AdmissionGate.FIELD_VALIDATION));
    }
    if (request.method() == HttpMethod.POST && target.path().equals(SELF_SUBJECT_RULES_REVIEW)) {
      return allowEverything();
    }
    RequestPath storeTarget = forStore(target, FieldSelector.parse(target.param("fieldSelector")))
        .with(AdmissionGate.FIELD_VALIDATION, target.param(AdmissionGate.FIELD_VALIDATION));
    return admitAndStore(PatchTranslator.rewrite(request, request.method(), storeTarget.target(), null, null));
  }

  /**
   * Every write passes admission here (namespace, metadata, schema, defaults, CEL rules; patches arrive as the
   * PUT of their result) before it reaches the store.
   */
  private MockResponse admitAndStore(RecordedRequest request) {
    if (faults.admissionBypassed) {
      return store.dispatch(request);
    }
    AdmissionGate.Review review = admission.review(request, RequestPath.parse(request.getPath()));
    if (review.refusal() != null) {
      return review.refusal();
    }
    MockResponse stored = store.dispatch(review.admitted());
    // kubectl prints each as "Warning: <text>"
    review.warnings().forEach(w -> stored.addHeader("Warning", "299 - \"" + w.replace("\"", "\\\"") + "\""));
    return stored;
  }

  /**
   * Dev mode has no authorization past authentication: whoever holds the token may do everything. JOSDK asks (with a
   * SelfSubjectRulesReview) before it elects a leader.
   */
  private static MockResponse allowEverything() {
    ObjectNode review = Serialization.jsonMapper().createObjectNode()
        .put("kind", "SelfSubjectRulesReview").put("apiVersion", "authorization.k8s.io/v1");
    review.putObject("metadata");
    ObjectNode status = review.putObject("status").put("incomplete", false);
    ObjectNode rule = status.putArray("resourceRules").addObject();
    rule.putArray("verbs").add("*");
    rule.putArray("apiGroups").add("*");
    rule.putArray("resources").add("*");
    ObjectNode nonResource = status.putArray("nonResourceRules").addObject();
    nonResource.putArray("verbs").add("*");
    nonResource.putArray("nonResourceURLs").add("*");
    return Responses.json(201, review);
  }

  private MockResponse get(RecordedRequest request, RequestPath target) {
    String path = target.path();
    if (path.equals("/version")) {
      return Responses.json(200, version());
    }
    if (path.equals("/") || path.isEmpty()) {
      return Responses.json(200, new RootPathsBuilder().addToPaths("/api", "/apis", "/version").build());
    }
    if (path.equals(OpenApiDocuments.V2_PATH)) {
      return OpenApiDocuments.v2(request.getHeader("Accept"));
    }
    if (path.startsWith("/openapi/")) {
      return openApi.document(target).map(document -> Responses.json(200, document))
          .orElseGet(() -> Responses.status(404, "NotFound", "the server could not find the requested resource"));
    }
    Optional<Object> discoveryDocument = discovery.document(target);
    if (discoveryDocument.isPresent()) {
      return Responses.json(200, discoveryDocument.get());
    }
    FieldSelector fields = FieldSelector.parse(target.param("fieldSelector"));
    RequestPath storeTarget = forStore(target, fields);
    ApiResource type = ResourceRef.of(target)
        .flatMap(ref -> catalog.find(ref.group(), ref.version(), ref.plural())).orElse(null);
    boolean asTable = TableConverter.wantsTable(request.getHeader("Accept"));
    if (target.isWatch()) {
      // kubectl get -w asks for Tables, as for its first list: each event then carries a one-row Table.
      UnaryOperator<JsonNode> render = asTable
          ? object -> TableConverter.toTable(type, object, target.param("includeObject"), clock) : object -> object;
      return watches.respond(target, storeTarget, fields, render);
    }
    MockResponse response = store.handleGet(storeTarget.target());
    if (response.code() != 200 || !Responses.hasBody(response)) {
      return response;
    }
    JsonNode body = Responses.bodyJson(response);
    if (body instanceof ObjectNode list && list.has("items")) {
      if (fields.needsLocalFiltering()) {
        filterItems((ArrayNode) list.get("items"), fields);
      }
      // The store calls every list "v1 List"; typed clients (kubectl describe's event lookup) need e.g. EventList.
      if (type != null) {
        list.put("apiVersion", type.groupVersion()).put("kind", type.kind() + "List");
      }
      response = Responses.json(200, list);
    }
    if (asTable) {
      return Responses.json(200, TableConverter.toTable(type, body, target.param("includeObject"), clock));
    }
    return response;
  }

  private static void filterItems(ArrayNode items, FieldSelector fields) {
    for (Iterator<JsonNode> it = items.elements(); it.hasNext();) {
      if (!fields.matchesLocally(it.next())) {
        it.remove();
      }
    }
  }

  private static RequestPath forStore(RequestPath target, FieldSelector fields) {
    return target.keeping(STORE_PARAMS).with("fieldSelector", fields.forStore());
  }

  private static boolean isWebSocket(RecordedRequest request) {
    String upgrade = request.getHeader("Upgrade");
    return upgrade != null && upgrade.equalsIgnoreCase("websocket");
  }

  /** JSON content type where the store set none, and a Status body on its bare 404s, which kubectl prints. */
  private static MockResponse withDefaults(MockResponse response, RequestPath target) {
    if (response.getWebSocketListener() != null) {
      return response;
    }
    if (response.code() == 404 && !Responses.hasBody(response)) {
      String what = ResourceRef.of(target)
          .map(ref -> ref.qualifiedName() + (ref.name() == null ? "" : " \"" + ref.name() + "\""))
          .orElse("the requested resource");
      return Responses.status(404, "NotFound", what + " not found");
    }
    if (Responses.hasBody(response) && response.getHeaders().header(Responses.CONTENT_TYPE) == null) {
      response.setHeader(Responses.CONTENT_TYPE, Responses.JSON);
    }
    return response;
  }

  private static Map<String, String> version() {
    Map<String, String> version = new LinkedHashMap<>();
    version.put("major", "1");
    version.put("minor", "32");
    version.put("gitVersion", "v1.32.0-dustcloud-dev");
    version.put("gitCommit", "0000000000000000000000000000000000000000");
    version.put("gitTreeState", "clean");
    version.put("buildDate", "2025-01-01T00:00:00Z");
    version.put("goVersion", "n/a");
    version.put("compiler", "n/a");
    version.put("platform", System.getProperty("os.name").toLowerCase() + "/" + System.getProperty("os.arch"));
    return version;
  }
}
