package io.dustcloud.dev;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.TextNode;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The printer columns a real API server uses for the built-in kinds dev mode stores (the kubernetes printers
 * package): kubectl get shows what the server's Table says, so without these it would show NAME and AGE only.
 * Cells are computed as the real printers compute them, including their fallbacks (an event without
 * lastTimestamp shows its first one).
 */
final class BuiltinTables {

  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private static final String NAME_DOC = "Name must be unique within a namespace.";
  private static final String AGE_DOC = "CreationTimestamp is a timestamp representing the server time when this "
      + "object was created.";

  private BuiltinTables() {
  }

  /** The columns for a built-in kind ("" group for core), or empty for kinds printed as NAME and AGE. */
  static Optional<List<TableColumn>> columns(String group, String kind, Clock clock) {
    Function<JsonNode, JsonNode> age = o -> since(o.path("metadata").path("creationTimestamp"), clock);
    TableColumn name = TableColumn.of("Name", "string", NAME_DOC, o -> text(o.path("metadata").path("name")))
        .formatted("name");
    TableColumn ageColumn = TableColumn.of("Age", "string", AGE_DOC, age);
    List<TableColumn> columns = switch (group + "/" + kind) {
      case "/Event", "events.k8s.io/Event" -> eventColumns(name, clock);
      case "/Namespace" -> List.of(name,
          TableColumn.of("Status", "string", "The status of the namespace", o -> namespacePhase(o)), ageColumn);
      case "/ConfigMap" -> List.of(name, TableColumn.of("Data", "string", "Number of data entries",
          o -> JSON.numberNode(o.path("data").size() + o.path("binaryData").size())), ageColumn);
      case "/Secret" -> List.of(name,
          TableColumn.of("Type", "string", "The type of the secret", o -> text(o.path("type"))),
          TableColumn.of("Data", "string", "Number of data entries", o -> JSON.numberNode(secretKeys(o))), ageColumn);
      case "/Pod" -> PodAndJobTables.pod(name, ageColumn);
      case "batch/Job" -> PodAndJobTables.job(name, ageColumn, clock);
      case "coordination.k8s.io/Lease" -> List.of(name, TableColumn.of("Holder", "string",
          "The holder of the lease", o -> text(o.path("spec").path("holderIdentity"))), ageColumn);
      case "apiextensions.k8s.io/CustomResourceDefinition" -> List.of(name, TableColumn.of("Created At", "date",
          AGE_DOC, o -> text(o.path("metadata").path("creationTimestamp"))));
      default -> null;
    };
    return Optional.ofNullable(columns);
  }

  /** LAST SEEN, TYPE, REASON, OBJECT, MESSAGE, and with -o wide the rest; core/v1 and events.k8s.io/v1 names. */
  private static List<TableColumn> eventColumns(TableColumn name, Clock clock) {
    return List.of(
        TableColumn.of("Last Seen", "string", "The time at which the most recent occurrence of this event was "
            + "recorded.", o -> lastSeen(o, clock)),
        TableColumn.of("Type", "string", "Type of this event (Normal, Warning).", o -> text(o.path("type"))),
        TableColumn.of("Reason", "string", "A short, machine understandable reason.", o -> text(o.path("reason"))),
        TableColumn.of("Object", "string", "The object that this event is about.", o -> target(regarding(o))),
        TableColumn.of("Subobject", "string", "The field of the object this event is about.",
            o -> text(regarding(o).path("fieldPath"))).wide(),
        TableColumn.of("Source", "string", "The component reporting this event.", BuiltinTables::source).wide(),
        TableColumn.of("Message", "string", "A human-readable description of the status of this operation.",
            o -> JSON.textNode(first(o, "message", "note").asText().strip())),
        TableColumn.of("First Seen", "string", "The time at which the event was first recorded.",
            o -> firstSeen(o, clock)).wide(),
        TableColumn.of("Count", "string", "The number of times this event has occurred.", BuiltinTables::count).wide(),
        new TableColumn(name.name(), name.type(), name.format(), name.description(), 1, name.cell()));
  }

  private static JsonNode regarding(JsonNode event) {
    return first(event, "involvedObject", "regarding");
  }

  private static JsonNode target(JsonNode involved) {
    String kind = involved.path("kind").asText().toLowerCase();
    String name = involved.path("name").asText();
    return JSON.textNode(name.isEmpty() ? kind : kind + "/" + name);
  }

  private static JsonNode source(JsonNode event) {
    JsonNode source = event.path("source");
    String component = source.path("component").asText(event.path("reportingController").asText(
        event.path("reportingComponent").asText()));
    String host = source.path("host").asText(event.path("reportingInstance").asText());
    return JSON.textNode(host.isEmpty() ? component : component + ", " + host);
  }

  private static JsonNode firstSeen(JsonNode event, Clock clock) {
    JsonNode first = first(event, "firstTimestamp", "deprecatedFirstTimestamp");
    return since(first.isMissingNode() ? event.path("eventTime") : first, clock);
  }

  private static JsonNode lastSeen(JsonNode event, Clock clock) {
    JsonNode series = event.path("series");
    if (series.has("lastObservedTime")) {
      return since(series.get("lastObservedTime"), clock);
    }
    JsonNode last = first(event, "lastTimestamp", "deprecatedLastTimestamp");
    return last.isMissingNode() ? firstSeen(event, clock) : since(last, clock);
  }

  private static JsonNode count(JsonNode event) {
    JsonNode series = event.path("series");
    if (series.has("count")) {
      return series.get("count");
    }
    long count = first(event, "count", "deprecatedCount").asLong(0);
    // Singleton events carry no count in the newer API.
    return JSON.numberNode(count == 0 ? 1 : count);
  }

  private static JsonNode namespacePhase(JsonNode namespace) {
    String phase = namespace.path("status").path("phase").asText();
    // A real server sets Active when it creates a namespace; dev mode's store does not, and it has no other phase.
    return JSON.textNode(phase.isEmpty() ? "Active" : phase);
  }

  /** stringData is written into data by a real server; dev mode stores it as sent, so count both. */
  private static int secretKeys(JsonNode secret) {
    Set<String> keys = new HashSet<>();
    secret.path("data").fieldNames().forEachRemaining(keys::add);
    secret.path("stringData").fieldNames().forEachRemaining(keys::add);
    return keys.size();
  }

  /** The first of the named fields that is present and not null, else a missing node. */
  static JsonNode first(JsonNode object, String... fields) {
    for (String field : fields) {
      JsonNode value = object.path(field);
      if (!value.isMissingNode() && !value.isNull()) {
        return value;
      }
    }
    return object.path("\0missing");
  }

  static JsonNode text(JsonNode value) {
    return value.isMissingNode() || value.isNull() ? JSON.nullNode() : JSON.textNode(value.asText());
  }

  /** An age as kubectl prints it ("5m"), "&lt;unknown&gt;" without a timestamp, like the real printers. */
  static JsonNode since(JsonNode timestamp, Clock clock) {
    if (timestamp.isMissingNode() || timestamp.isNull() || timestamp.asText().isEmpty()) {
      return TextNode.valueOf("<unknown>");
    }
    try {
      return JSON.textNode(HumanDuration.format(Duration.between(Instant.parse(timestamp.asText()), clock.instant())));
    } catch (DateTimeParseException notATimestamp) {
      return JSON.textNode(timestamp.asText());
    }
  }
}
