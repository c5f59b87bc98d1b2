package io.dustcloud.dev;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Admission for custom resources, as an API server does it: creates and updates of an object
 * whose CRD has a schema are pruned, defaulted and validated ({@link SchemaAdmission}); an
 * invalid one is refused with 422 and the API server's message, and the store never sees it.
 */
final class AdmissionGate {
  private final Function<String, MockResponse> get;
  private final SchemaAdmission admission = new SchemaAdmission();

  /** What admission decided: a refusal, or the request to store (possibly with a rewritten body). */
  record Review(MockResponse refusal, RecordedRequest admitted) {}

  AdmissionGate(Function<String, MockResponse> get) {
    this.get = get;
  }

  Review review(RecordedRequest request, RequestPath target) {
    boolean create = request.method() == HttpMethod.POST;
    boolean update = request.method() == HttpMethod.PUT;
    Optional<ResourceRef> ref = ResourceRef.of(target);
    if ((!create && !update) || ref.isEmpty() || ref.get().group().isEmpty() || ref.get().subresource() != null
        || (update && ref.get().name() == null) || (create && ref.get().name() != null)) {
      return new Review(null, request);
    }
    ResourceRef r = ref.get();
    Optional<CustomResourceDefinitionVersion> version = crdVersion(r);
    if (version.isEmpty() || version.get().getSchema() == null) {
      return new Review(null, request);
    }
    JsonNode body = Responses.parse(request.getBody() == null ? "{}" : new String(request.getBody().getBytes(),
        java.nio.charset.StandardCharsets.UTF_8));
    if (!(body instanceof ObjectNode object)) {
      return new Review(Responses.status(400, "BadRequest", "the body must be a JSON object"), null);
    }
    JsonNode old = update ? Responses.bodyJson(get.apply(target.path())) : null;
    List<SchemaAdmission.Cause> causes = new java.util.ArrayList<>(metadata(object));
    causes.addAll(admission.admit(version.get().getSchema().getOpenAPIV3Schema(), object, old));
    if (!causes.isEmpty()) {
      return new Review(invalid(r, object, causes), null);
    }
    return new Review(null, PatchTranslator.rewrite(request, request.method(), target.target(), Responses.JSON, object));
  }

  private static final java.util.regex.Pattern DNS_SUBDOMAIN =
      java.util.regex.Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
  private static final java.util.regex.Pattern LABEL_VALUE =
      java.util.regex.Pattern.compile("(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?");

  /** The API server's own checks of a custom resource's metadata: its name and label values. */
  static List<SchemaAdmission.Cause> metadata(ObjectNode object) {
    List<SchemaAdmission.Cause> causes = new java.util.ArrayList<>();
    JsonNode meta = object.path("metadata");
    String name = meta.path("name").asText("");
    if (!name.isEmpty() && (name.length() > 253 || !DNS_SUBDOMAIN.matcher(name).matches())) {
      causes.add(new SchemaAdmission.Cause("metadata.name", "FieldValueInvalid", "metadata.name: Invalid value: \"" + name
          + "\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.',"
          + " and must start and end with an alphanumeric character (at most 253 characters)"));
    }
    meta.path("labels").fields().forEachRemaining(e -> {
      String v = e.getValue().asText("");
      if (v.length() > 63) {
        causes.add(new SchemaAdmission.Cause("metadata.labels", "FieldValueInvalid", "metadata.labels: Invalid value: \"" + v
            + "\": must be no more than 63 characters"));
      } else if (!LABEL_VALUE.matcher(v).matches()) {
        causes.add(new SchemaAdmission.Cause("metadata.labels", "FieldValueInvalid", "metadata.labels: Invalid value: \"" + v
            + "\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.',"
            + " and must start and end with an alphanumeric character"));
      }
    });
    return causes;
  }

  private Optional<CustomResourceDefinitionVersion> crdVersion(ResourceRef r) {
    MockResponse crd = get.apply("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/" + r.qualifiedName());
    if (crd.code() != 200 || !Responses.hasBody(crd)) {
      return Optional.empty();
    }
    CustomResourceDefinition definition = Serialization.unmarshal(Responses.bodyText(crd), CustomResourceDefinition.class);
    return definition.getSpec().getVersions().stream().filter(v -> v.getName().equals(r.version())).findFirst();
  }

  /** The API server's 422: {@code Kind.group "name" is invalid: cause} or {@code [cause, cause]}. */
  private static MockResponse invalid(ResourceRef r, ObjectNode object, List<SchemaAdmission.Cause> causes) {
    String kind = object.path("kind").asText(r.plural());
    String name = object.path("metadata").path("name").asText(r.name() == null ? "" : r.name());
    String listed = causes.size() == 1 ? causes.get(0).message()
        : causes.stream().map(SchemaAdmission.Cause::message).collect(Collectors.joining(", ", "[", "]"));
    MockResponse response = Responses.status(422, "Invalid", kind + "." + r.group() + " \"" + name + "\" is invalid: " + listed);
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
