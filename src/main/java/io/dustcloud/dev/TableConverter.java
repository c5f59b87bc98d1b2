package io.dustcloud.dev;

import io.fabric8.kubernetes.client.utils.Serialization;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * Server-side printing: turns an object or a list into a meta.k8s.io/v1 Table, which is what kubectl get asks
 * for (Accept: ...;as=Table;v=v1;g=meta.k8s.io) and how CRD additionalPrinterColumns reach its output. As on a
 * real API server, cells are typed values and date columns are already rendered as ages ("5m").
 */
final class TableConverter {

  static final String TABLE_MEDIA = "as=Table";

  private static final ApiResource.PrinterColumn NAME = new ApiResource.PrinterColumn("Name", "string", "name",
      "Name must be unique within a namespace.", 0, ".metadata.name");
  private static final ApiResource.PrinterColumn AGE = new ApiResource.PrinterColumn("Age", "date", "",
      "CreationTimestamp is a timestamp representing the server time when this object was created.", 0,
      ".metadata.creationTimestamp");

  private TableConverter() {
  }

  static boolean wantsTable(String accept) {
    return accept != null && accept.contains(TABLE_MEDIA) && accept.contains("g=meta.k8s.io");
  }

  /**
   * @param resource the type's printer columns, or null for the default Name/Age columns
   * @param body a single object or a list as the store returned it
   * @param includeObject None, Metadata (the default) or Object, as in the includeObject query parameter
   */
  static ObjectNode toTable(ApiResource resource, JsonNode body, String includeObject) {
    List<ApiResource.PrinterColumn> columns = columns(resource);
    ObjectNode table = JsonNodeFactory.instance.objectNode()
        .put("kind", "Table").put("apiVersion", "meta.k8s.io/v1");
    ObjectNode metadata = table.putObject("metadata");
    JsonNode listMeta = body.path("metadata");
    if (body.has("items") && listMeta.has("resourceVersion")) {
      metadata.set("resourceVersion", listMeta.get("resourceVersion"));
    }
    ArrayNode definitions = table.putArray("columnDefinitions");
    columns.forEach(c -> definitions.addObject()
        .put("name", c.name()).put("type", c.type()).put("format", c.format() == null ? "" : c.format())
        .put("description", c.description() == null ? "" : c.description()).put("priority", c.priority()));
    ArrayNode rows = table.putArray("rows");
    for (JsonNode object : objects(body)) {
      ObjectNode row = rows.addObject();
      ArrayNode cells = row.putArray("cells");
      columns.forEach(c -> cells.add(cell(object, c)));
      JsonNode rowObject = rowObject(object, includeObject);
      if (rowObject != null) {
        row.set("object", rowObject);
      }
    }
    return table;
  }

  private static List<ApiResource.PrinterColumn> columns(ApiResource resource) {
    List<ApiResource.PrinterColumn> columns = new ArrayList<>();
    columns.add(NAME);
    if (resource == null || resource.printerColumns().isEmpty()) {
      columns.add(AGE);
    } else {
      columns.addAll(resource.printerColumns());
    }
    return columns;
  }

  private static List<JsonNode> objects(JsonNode body) {
    List<JsonNode> objects = new ArrayList<>();
    if (body.has("items")) {
      body.get("items").forEach(objects::add);
    } else {
      objects.add(body);
    }
    return objects;
  }

  /** Cells carry typed values; kubectl formats them (a date column becomes an age like "5m"). */
  private static JsonNode cell(JsonNode object, ApiResource.PrinterColumn column) {
    JsonNode value;
    try {
      value = SimpleJsonPath.first(object, column.jsonPath());
    } catch (IllegalArgumentException unsupported) {
      return JsonNodeFactory.instance.textNode("<unsupported jsonPath>");
    }
    if (value == null) {
      return JsonNodeFactory.instance.nullNode();
    }
    return switch (column.type()) {
      case "integer", "number", "boolean" -> value.isValueNode() ? value : text(value);
      case "date" -> age(value);
      default -> text(value);
    };
  }

  /** Like the API server, render a date as an age; a value that is no timestamp is shown as it is. */
  private static JsonNode age(JsonNode value) {
    try {
      Instant at = Instant.parse(value.asText());
      return JsonNodeFactory.instance.textNode(HumanDuration.format(Duration.between(at, Instant.now())));
    } catch (DateTimeParseException notATimestamp) {
      return text(value);
    }
  }

  private static JsonNode text(JsonNode value) {
    return JsonNodeFactory.instance.textNode(value.isValueNode() ? value.asText() : Serialization.asJson(value));
  }

  private static JsonNode rowObject(JsonNode object, String includeObject) {
    if ("None".equals(includeObject)) {
      return null;
    }
    if ("Object".equals(includeObject)) {
      return object;
    }
    ObjectNode partial = JsonNodeFactory.instance.objectNode()
        .put("kind", "PartialObjectMetadata").put("apiVersion", "meta.k8s.io/v1");
    partial.set("metadata", object.path("metadata"));
    return partial;
  }
}
