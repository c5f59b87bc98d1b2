package io.dustcloud.dev;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Admission, as an API server does it, for every create (POST) and replace (PUT) of an object or
 * of its {@code /status}; patches reach it as the PUT of their result ({@link PatchTranslator}).
 * What is admitted is the object as it will be stored: a replace of the main resource keeps the
 * stored status and a replace of {@code /status} keeps everything but the status, when the CRD
 * has a status subresource (apiextensions-apiserver's PrepareForUpdate). That object is pruned,
 * defaulted and validated ({@link SchemaAdmission}, {@link MetadataRules}); an invalid one is
 * refused with 422 and the API server's message, and the store never sees it.
 */
final class AdmissionGate {
  static final String FIELD_VALIDATION = "fieldValidation";

  private final Function<String, MockResponse> get;
  private final SchemaAdmission admission = new SchemaAdmission();

  /**
   * What admission decided: a refusal, or the request to store (possibly with a rewritten body)
   * and the warnings to send with the store's answer ({@code fieldValidation=Warn}).
   */
  record Review(MockResponse refusal, RecordedRequest admitted, List<String> warnings) {
    static Review pass(RecordedRequest request) {
      return new Review(null, request, List.of());
    }

    static Review refuse(MockResponse refusal) {
      return new Review(refusal, null, List.of());
    }
  }

  AdmissionGate(Function<String, MockResponse> get) {
    this.get = get;
  }

  /**
   * A subresource of a custom resource that its CRD does not declare: the API server answers 404
   * NotFound naming the object (apiextensions-apiserver's crdHandler), for every verb. Null when
   * the path names no such subresource.
   */
  MockResponse undeclaredSubresource(RequestPath target) {
    Optional<ResourceRef> ref = ResourceRef.of(target);
    if (ref.isEmpty() || ref.get().group().isEmpty() || ref.get().subresource() == null) {
      return null;
    }
    ResourceRef r = ref.get();
    Optional<CustomResourceDefinitionVersion> version = crdVersion(r);
    if (version.isEmpty()) {
      return null;
    }
    var declared = version.get().getSubresources();
    boolean known = declared != null && (("status".equals(r.subresource()) && declared.getStatus() != null)
        || ("scale".equals(r.subresource()) && declared.getScale() != null));
    return known ? null : notFound(r.qualifiedName(), r.group(), r.plural(), r.name());
  }

  Review review(RecordedRequest request, RequestPath target) {
    boolean create = request.method() == HttpMethod.POST;
    boolean update = request.method() == HttpMethod.PUT;
    Optional<ResourceRef> ref = ResourceRef.of(target);
    if ((!create && !update) || ref.isEmpty()
        || (update && ref.get().name() == null) || (create && ref.get().name() != null)) {
      return Review.pass(request);
    }
    ResourceRef r = ref.get();
    if (create && r.namespace() != null && get.apply("/api/v1/namespaces/" + r.namespace()).code() == 404) {
      return Review.refuse(notFound("namespaces", "", "namespaces", r.namespace()));
    }
    boolean statusWrite = "status".equals(r.subresource());
    if (r.subresource() != null && !statusWrite) {
      return Review.pass(request); // built-in subresources (namespaces/x/finalize, ...) are the store's
    }
    String text = request.getBody() == null ? "{}" : new String(request.getBody().getBytes(), StandardCharsets.UTF_8);
    JsonNode body = Responses.parse(text);
    if (!(body instanceof ObjectNode object)) {
      return Review.refuse(Responses.status(400, "BadRequest", "the body must be a JSON object"));
    }
    JsonNode old = null;
    if (update) {
      MockResponse stored = get.apply(target.path().replaceAll("/status$", ""));
      if (stored.code() != 200 || !Responses.hasBody(stored)) {
        return Review.pass(request); // the store answers its 404
      }
      old = Responses.bodyJson(stored);
      String named = object.path("metadata").path("resourceVersion").asText("");
      if (!named.isEmpty() && !named.equals(old.path("metadata").path("resourceVersion").asText())) {
        // the store's own answer says reason Invalid and names the kind; kube-apiserver's says Conflict
        return Review.refuse(Responses.status(409, "Conflict", "Operation cannot be fulfilled on " + r.qualifiedName()
            + " \"" + r.name() + "\": the object has been modified; please apply your changes to the latest version"
            + " and try again"));
      }
    }
    Optional<CustomResourceDefinitionVersion> version = r.group().isEmpty() ? Optional.empty() : crdVersion(r);
    boolean statusSubresource = version.map(v -> v.getSubresources() != null && v.getSubresources().getStatus() != null)
        .orElse(false);
    if (statusWrite && !statusSubresource) {
      return Review.pass(request);
    }
    ObjectNode candidate = statusSubresource ? asStored(object, old, statusWrite) : object;
    List<SchemaAdmission.Cause> causes = new ArrayList<>(MetadataRules.check(candidate, version.isPresent()));
    List<String> problems = new ArrayList<>();
    duplicateField(text).ifPresent(f -> problems.add("duplicate field \"" + f + "\""));
    if (version.isPresent() && version.get().getSchema() != null) {
      ObjectNode sent = candidate.deepCopy();
      causes.addAll(admission.admit(version.get().getSchema().getOpenAPIV3Schema(), candidate, old));
      pruned(sent, candidate, "").forEach(f -> problems.add("unknown field \"" + f + "\""));
    }
    if (!causes.isEmpty()) {
      return Review.refuse(invalid(r, candidate, causes));
    }
    // absent means Warn, kube-apiserver's default since fieldValidation exists (1.23+)
    String validation = target.param(FIELD_VALIDATION) == null ? "Warn" : target.param(FIELD_VALIDATION);
    List<String> warnings = new ArrayList<>();
    if (!problems.isEmpty()) {
      switch (validation) {
        case "Strict" -> {
          String kind = candidate.path("kind").asText(r.plural());
          return Review.refuse(Responses.status(400, "BadRequest", kind + " in version \"" + r.version()
              + "\" cannot be handled as a " + kind + ": strict decoding error: " + String.join(", ", problems)));
        }
        case "Warn" -> warnings.addAll(problems);
        default -> { } // Ignore: pruned silently, the last of duplicate fields kept
      }
    }
    String storeTarget = target.with(FIELD_VALIDATION, null).target();
    return new Review(null, PatchTranslator.rewrite(request, request.method(), storeTarget, Responses.JSON, candidate),
        warnings);
  }

  /**
   * The object as a CRD with a status subresource stores it: a write of the main resource cannot
   * change the status (on create there is none), a write of /status changes only the status. The
   * status write keeps the resourceVersion it names, for the store's optimistic-concurrency check.
   */
  private static ObjectNode asStored(ObjectNode sent, JsonNode old, boolean statusWrite) {
    if (!statusWrite) {
      ObjectNode result = sent.deepCopy();
      result.remove("status");
      if (old != null && old.has("status")) {
        result.set("status", old.get("status").deepCopy());
      }
      return result;
    }
    ObjectNode result = old.deepCopy();
    result.remove("status");
    if (sent.has("status")) {
      result.set("status", sent.get("status").deepCopy());
    }
    ObjectNode meta = result.withObjectProperty("metadata");
    meta.remove("resourceVersion");
    JsonNode named = sent.path("metadata").path("resourceVersion");
    if (!named.asText("").isEmpty()) {
      meta.put("resourceVersion", named.asText());
    }
    return result;
  }

  private static final ObjectMapper STRICT = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

  /** The first field a JSON body names twice in one object ("spec.image"), if any; the parser stops there. */
  static Optional<String> duplicateField(String json) {
    try {
      STRICT.readTree(json);
      return Optional.empty();
    } catch (JsonProcessingException e) {
      if (e.getProcessor() instanceof JsonParser parser && e.getMessage().startsWith("Duplicate field")) {
        return Optional.of(parser.getParsingContext().pathAsPointer().toString().substring(1).replace('/', '.'));
      }
      return Optional.empty(); // not JSON: the body was already parsed, so this does not happen
    }
  }

  /** The paths of the fields that admission pruned: present in what was sent, absent after. */
  static List<String> pruned(JsonNode sent, JsonNode admitted, String path) {
    List<String> out = new ArrayList<>();
    if (sent.isObject() && admitted.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = sent.fields(); it.hasNext();) {
        Map.Entry<String, JsonNode> field = it.next();
        String child = path.isEmpty() ? field.getKey() : path + "." + field.getKey();
        if (!admitted.has(field.getKey())) {
          out.add(child);
        } else {
          out.addAll(pruned(field.getValue(), admitted.get(field.getKey()), child));
        }
      }
    } else if (sent.isArray() && admitted.isArray()) {
      for (int i = 0; i < Math.min(sent.size(), admitted.size()); i++) {
        out.addAll(pruned(sent.get(i), admitted.get(i), path + "[" + i + "]"));
      }
    }
    return out;
  }

  private Optional<CustomResourceDefinitionVersion> crdVersion(ResourceRef r) {
    MockResponse crd = get.apply("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/" + r.qualifiedName());
    if (crd.code() != 200 || !Responses.hasBody(crd)) {
      return Optional.empty();
    }
    CustomResourceDefinition definition = Serialization.unmarshal(Responses.bodyText(crd), CustomResourceDefinition.class);
    return definition.getSpec().getVersions().stream().filter(v -> v.getName().equals(r.version())).findFirst();
  }

  /** The API server's NotFound: {@code resource.group "name" not found}, with the details clients read. */
  static MockResponse notFound(String qualifiedResource, String group, String resource, String name) {
    MockResponse response = Responses.status(404, "NotFound", qualifiedResource + " \"" + name + "\" not found");
    ObjectNode status = (ObjectNode) Responses.bodyJson(response);
    status.putObject("details").put("name", name).put("group", group).put("kind", resource);
    return Responses.json(404, status);
  }

  /** The API server's 422: {@code Kind.group "name" is invalid: cause} or {@code [cause, cause]}. */
  private static MockResponse invalid(ResourceRef r, ObjectNode object, List<SchemaAdmission.Cause> causes) {
    String kind = object.path("kind").asText(r.plural());
    String name = object.path("metadata").path("name").asText(r.name() == null ? "" : r.name());
    String listed = causes.size() == 1 ? causes.get(0).message()
        : causes.stream().map(SchemaAdmission.Cause::message).collect(Collectors.joining(", ", "[", "]"));
    String qualifiedKind = r.group().isEmpty() ? kind : kind + "." + r.group();
    MockResponse response = Responses.status(422, "Invalid", qualifiedKind + " \"" + name + "\" is invalid: " + listed);
    ObjectNode status = (ObjectNode) Responses.bodyJson(response);
    ObjectNode details = status.putObject("details").put("name", name).put("group", r.group()).put("kind", kind);
    ArrayNode list = details.putArray("causes");
    for (SchemaAdmission.Cause c : causes) {
      // like an API server, the cause's message leaves the field out: clients print "field: message"
      String message = c.message().startsWith(c.field() + ": ") ? c.message().substring(c.field().length() + 2) : c.message();
      list.addObject().put("reason", c.reason()).put("message", message).put("field", c.field());
    }
    return Responses.json(422, status);
  }
}
