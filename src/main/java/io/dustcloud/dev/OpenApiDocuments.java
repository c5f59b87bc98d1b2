package io.dustcloud.dev;

import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.http.MockResponse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The OpenAPI v3 documents of a real API server, as far as kubectl uses them: the index at /openapi/v3 (each
 * group/version's serverRelativeURL) and one document per group/version with its paths and components.schemas.
 *
 * <p>kubectl apply looks for a fieldValidation parameter on the PATCH operation of the object's kind; finding it, it
 * leaves validation to the server and sends fieldValidation=Strict. kubectl explain finds a kind's schema through
 * the GET operation of its path and the schema's x-kubernetes-group-version-kind. Custom kinds get their CRD's
 * schema; built-in kinds a short hand-written one (src/main/resources/dev/openapi-builtin-schemas.json) or, for
 * kinds dev mode only lists, one that names the common fields.
 *
 * <p>OpenAPI v2 is served without definitions ({@link #V2_PATH}): kubectl still reads it for what v3 does not
 * settle (a {@code kind: List} manifest is validated on the client, item by item, with v2's schemas; finding none,
 * it leaves the items to the server), and reads it only as protobuf.
 */
final class OpenApiDocuments {

  static final String PREFIX = "/openapi/v3";
  static final String V2_PATH = "/openapi/v2";
  static final String V2_PROTOBUF = "application/com.github.proto-openapi.spec.v2@v1.0+protobuf";
  /** What a real server answers with: the "@" that clients send is no valid media type to Go's mime parser. */
  private static final String V2_PROTOBUF_ANSWER = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf";
  private static final String OBJECT_META = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta";
  private static final String LIST_META = "io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta";
  private static final String REF = "#/components/schemas/";
  private static final ObjectNode BUILTIN = loadBuiltinSchemas();

  private final ResourceCatalog catalog;

  OpenApiDocuments(ResourceCatalog catalog) {
    this.catalog = catalog;
  }

  /** The document for a path under /openapi/v3, or empty (v2 and unknown group/versions). */
  Optional<JsonNode> document(RequestPath target) {
    String path = target.path().replaceAll("/+$", "");
    if (path.equals(PREFIX)) {
      return Optional.of(index());
    }
    if (!path.startsWith(PREFIX + "/")) {
      return Optional.empty();
    }
    return Optional.ofNullable(groupVersionDocuments().get(path.substring(PREFIX.length() + 1)));
  }

  /**
   * The v2 document: "swagger: 2.0", title and version, no paths or definitions. As protobuf (gnostic's
   * openapi_v2.Document) when the client accepts it, which is all kubectl takes, else as JSON.
   */
  static MockResponse v2(String accept) {
    if (accept != null && accept.contains(V2_PROTOBUF)) {
      java.io.ByteArrayOutputStream info = new java.io.ByteArrayOutputStream();
      protobufString(info, 1, "Kubernetes");
      protobufString(info, 2, "v1.32.0");
      java.io.ByteArrayOutputStream document = new java.io.ByteArrayOutputStream();
      protobufString(document, 1, "2.0");
      protobufField(document, 2, info.toByteArray());
      return new MockResponse().setResponseCode(200).setHeader(Responses.CONTENT_TYPE, V2_PROTOBUF_ANSWER)
          .setBody(document.toByteArray());
    }
    ObjectNode document = JsonNodeFactory.instance.objectNode().put("swagger", "2.0");
    document.putObject("info").put("title", "Kubernetes").put("version", "v1.32.0");
    document.putObject("paths");
    document.putObject("definitions");
    return Responses.json(200, document);
  }

  private static void protobufString(java.io.ByteArrayOutputStream out, int field, String value) {
    protobufField(out, field, value.getBytes(StandardCharsets.UTF_8));
  }

  /** A length-delimited field (wire type 2); the values here are all shorter than 128 bytes. */
  private static void protobufField(java.io.ByteArrayOutputStream out, int field, byte[] value) {
    if (value.length > 127) {
      throw new IllegalArgumentException("field " + field + " too long for a one-byte length");
    }
    out.write(field << 3 | 2);
    out.write(value.length);
    out.writeBytes(value);
  }

  private JsonNode index() {
    ObjectNode index = JsonNodeFactory.instance.objectNode();
    ObjectNode paths = index.putObject("paths");
    // The hash lets clients cache a document until it changes (a CRD installed or edited), as with a real server.
    groupVersionDocuments().forEach((key, document) -> paths.putObject(key)
        .put("serverRelativeURL", PREFIX + "/" + key + "?hash=" + hash(document)));
    return index;
  }

  /** Keyed like the index: "api/v1", "apis/GROUP/VERSION". */
  private Map<String, ObjectNode> groupVersionDocuments() {
    Map<String, ObjectNode> documents = new LinkedHashMap<>();
    Map<String, JsonNode> crdSchemas = catalog.crdSchemas();
    for (ApiResource r : catalog.all()) {
      String key = r.group().isEmpty() ? "api/" + r.version() : "apis/" + r.group() + "/" + r.version();
      ObjectNode document = documents.computeIfAbsent(key, k -> emptyDocument());
      ObjectNode schemas = (ObjectNode) document.get("components").get("schemas");
      String name = schemaName(r);
      JsonNode crdSchema = crdSchemas.get(r.group() + "/" + r.version() + "/" + r.kind());
      schemas.set(name, kindSchema(r, crdSchema));
      schemas.set(name + "List", listSchema(r, name));
      boolean strategicMerge = crdSchema == null && BUILTIN.has(r.group() + "/" + r.kind());
      OpenApiPaths.add((ObjectNode) document.get("paths"), r, REF + name, REF + name + "List", strategicMerge);
    }
    return documents;
  }

  private static ObjectNode emptyDocument() {
    ObjectNode document = JsonNodeFactory.instance.objectNode().put("openapi", "3.0.0");
    document.putObject("info").put("title", "Kubernetes").put("version", "v1.32.0");
    document.putObject("paths");
    ObjectNode schemas = document.putObject("components").putObject("schemas");
    schemas.set(OBJECT_META, BUILTIN.get(OBJECT_META).deepCopy());
    schemas.set(LIST_META, BUILTIN.get(LIST_META).deepCopy());
    return document;
  }

  /** As a real server names them: io.k8s.api.core.v1.Pod, io.dustcloud.v1alpha1.Unikernel. */
  static String schemaName(ApiResource r) {
    String prefix;
    if (r.group().isEmpty()) {
      prefix = "io.k8s.api.core";
    } else if (r.group().equals("apiextensions.k8s.io")) {
      prefix = "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions";
    } else if (r.group().endsWith(".k8s.io") || !r.group().contains(".")) {
      prefix = "io.k8s.api." + r.group().split("\\.")[0];
    } else {
      List<String> labels = new java.util.ArrayList<>(List.of(r.group().split("\\.")));
      java.util.Collections.reverse(labels);
      prefix = String.join(".", labels);
    }
    return prefix + "." + r.version() + "." + r.kind();
  }

  /** The CRD's schema (or a built-in one) with apiVersion, kind and metadata as a real server adds them. */
  private static ObjectNode kindSchema(ApiResource r, JsonNode crdSchema) {
    ObjectNode schema;
    if (crdSchema != null) {
      schema = (ObjectNode) crdSchema.deepCopy();
    } else if (BUILTIN.has(r.group() + "/" + r.kind())) {
      schema = (ObjectNode) BUILTIN.get(r.group() + "/" + r.kind()).deepCopy();
    } else {
      schema = JsonNodeFactory.instance.objectNode().put("description", r.kind() + " (dev mode knows no more of its"
          + " schema than its common fields).");
      schema.put("x-kubernetes-preserve-unknown-fields", true);
    }
    schema.put("type", "object");
    ObjectNode properties = schema.has("properties") ? (ObjectNode) schema.get("properties")
        : schema.putObject("properties");
    properties.set("apiVersion", text("APIVersion defines the versioned schema of this representation of an object."));
    properties.set("kind", text("Kind is a string value representing the REST resource this object represents."));
    ObjectNode metadata = JsonNodeFactory.instance.objectNode();
    metadata.putArray("allOf").addObject().put("$ref", REF + OBJECT_META);
    metadata.put("description", "Standard object's metadata.");
    properties.set("metadata", metadata);
    schema.set("x-kubernetes-group-version-kind", gvk(r, r.kind()));
    return schema;
  }

  private static ObjectNode listSchema(ApiResource r, String itemSchema) {
    ObjectNode schema = JsonNodeFactory.instance.objectNode()
        .put("description", r.kind() + "List is a list of " + r.kind() + ".").put("type", "object");
    schema.putArray("required").add("items");
    ObjectNode properties = schema.putObject("properties");
    properties.set("apiVersion", text("APIVersion defines the versioned schema of this representation of an object."));
    properties.set("kind", text("Kind is a string value representing the REST resource this object represents."));
    ObjectNode items = properties.putObject("items").put("type", "array").put("description", "List of " + r.plural()
        + ".");
    items.putObject("items").put("$ref", REF + itemSchema);
    ObjectNode metadata = properties.putObject("metadata");
    metadata.putArray("allOf").addObject().put("$ref", REF + LIST_META);
    metadata.put("description", "Standard list metadata.");
    schema.set("x-kubernetes-group-version-kind", gvk(r, r.kind() + "List"));
    return schema;
  }

  private static ArrayNode gvk(ApiResource r, String kind) {
    ArrayNode gvks = JsonNodeFactory.instance.arrayNode();
    gvks.addObject().put("group", r.group()).put("kind", kind).put("version", r.version());
    return gvks;
  }

  private static ObjectNode text(String description) {
    return JsonNodeFactory.instance.objectNode().put("description", description).put("type", "string");
  }

  private static String hash(JsonNode document) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-512")
          .digest(Serialization.asJson(document).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().withUpperCase().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-512", e);
    }
  }

  private static ObjectNode loadBuiltinSchemas() {
    try (InputStream in = OpenApiDocuments.class.getResourceAsStream("/dev/openapi-builtin-schemas.json")) {
      if (in == null) {
        throw new IllegalStateException("dev/openapi-builtin-schemas.json is missing from the jar");
      }
      return (ObjectNode) Serialization.jsonMapper().readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read dev/openapi-builtin-schemas.json", e);
    }
  }
}
