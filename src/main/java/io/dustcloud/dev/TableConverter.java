package io.dustcloud.dev;

import io.fabric8.kubernetes.client.utils.Serialization;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Server-side printing: turns an object or a list into a meta.k8s.io/v1 Table, which is what kubectl get asks
 * for (Accept: ...;as=Table;v=v1;g=meta.k8s.io) and how CRD additionalPrinterColumns reach its output. As on a
 * real API server, cells are typed values and date columns are already rendered as ages ("5m").
 */
final class TableConverter {

  static final String TABLE_MEDIA = "as=Table";

  private TableConverter() {
  }

  static boolean wantsTable(String accept) {
    return accept != null && accept.contains(TABLE_MEDIA) && accept.contains("g=meta.k8s.io");
  }

  /**
   * @param resource the type (a CRD's printer columns, or a built-in kind's), or null for the default Name/Age
   * @param body a single object or a list as the store returned it
   * @param includeObject None, Metadata (the default) or Object, as in the includeObject query parameter
   * @param clock the time ages are counted to
   */
  static ObjectNode toTable(ApiResource resource, JsonNode body, String includeObject, Clock clock) {
    List<TableColumn> columns = columns(resource, clock);
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
      columns.forEach(c -> cells.add(c.cell().apply(object)));
      JsonNode rowObject = rowObject(object, includeObject);
      if (rowObject != null) {
        row.set("object", rowObject);
      }
    }
    return table;
  }

  private static List<TableColumn> columns(ApiResource resource, Clock clock) {
    if (resource != null && resource.printerColumns().isEmpty()) {
      Optional<List<TableColumn>> builtin = BuiltinTables.columns(resource.group(), resource.kind(), clock);
      if (builtin.isPresent()) {
        return builtin.get();
      }
    }
    List<TableColumn> columns = new ArrayList<>();
    columns.add(TableColumn.of("Name", "string", "Name must be unique within a namespace.",
        o -> BuiltinTables.text(o.path("metadata").path("name"))).formatted("name"));
    if (resource == null || resource.printerColumns().isEmpty()) {
      columns.add(TableColumn.of("Age", "date", "CreationTimestamp is a timestamp representing the server time when "
          + "this object was created.", o -> BuiltinTables.since(o.path("metadata").path("creationTimestamp"), clock)));
    } else {
      resource.printerColumns().forEach(c -> columns.add(new TableColumn(c.name(), c.type(), c.format(),
          c.description(), c.priority(), o -> cell(o, c, clock))));
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
  private static JsonNode cell(JsonNode object, ApiResource.PrinterColumn column, Clock clock) {
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
      case "date" -> age(value, clock);
      default -> text(value);
    };
  }

  /** Like the API server, render a date as an age; a value that is no timestamp is shown as it is. */
  private static JsonNode age(JsonNode value, Clock clock) {
    try {
      Instant at = Instant.parse(value.asText());
      return JsonNodeFactory.instance.textNode(HumanDuration.format(Duration.between(at, clock.instant())));
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
