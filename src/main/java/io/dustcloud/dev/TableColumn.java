package io.dustcloud.dev;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.function.Function;

/**
 * One column of a meta.k8s.io/v1 Table: its definition and how to compute its cell from an object (null for
 * "none", which kubectl prints as &lt;none&gt;). Columns of priority 0 are printed; higher ones only with -o wide.
 */
record TableColumn(String name, String type, String format, String description, int priority,
    Function<JsonNode, JsonNode> cell) {

  TableColumn {
    format = format == null ? "" : format;
    description = description == null ? "" : description;
  }

  static TableColumn of(String name, String type, String description, Function<JsonNode, JsonNode> cell) {
    return new TableColumn(name, type, "", description, 0, cell);
  }

  TableColumn wide() {
    return new TableColumn(name, type, format, description, 1, cell);
  }

  TableColumn formatted(String newFormat) {
    return new TableColumn(name, type, newFormat, description, priority, cell);
  }
}
