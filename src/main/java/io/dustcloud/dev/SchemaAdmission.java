package io.dustcloud.dev;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.api.model.apiextensions.v1.ValidationRule;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * What an API server does to a custom resource before storing it, for dev mode's in-memory
 * server: prune unknown fields, apply schema defaults, validate types, enums, bounds,
 * patterns, required fields and CEL rules. Errors read like the API server's, so a manifest
 * that fails here fails the same way in a cluster.
 */
public final class SchemaAdmission {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private final CelRules cel = new CelRules();

  /** One reason a field is invalid, as in a Kubernetes {@code Status.details.causes} entry. */
  public record Cause(String field, String reason, String message, boolean fromRule) {
    Cause(String field, String reason, String message) {
      this(field, reason, message, false);
    }

    @Override
    public String toString() {
      return message;
    }
  }

  /**
   * Prunes and defaults {@code object} in place and returns every problem found; an empty
   * list admits it.
   *
   * @param old the stored object on update, null on create
   */
  public List<Cause> admit(JSONSchemaProps schema, ObjectNode object, JsonNode old) {
    List<Cause> causes = new ArrayList<>();
    // apiVersion, kind and metadata are the API server's own business
    JSONSchemaProps body = copyWithout(schema, List.of("apiVersion", "kind", "metadata"));
    walk(body, object, old, "", causes, true);
    return causes;
  }

  private static int structural(List<Cause> causes) {
    return (int) causes.stream().filter(c -> !c.fromRule()).count();
  }

  private static JSONSchemaProps copyWithout(JSONSchemaProps schema, List<String> skip) {
    JSONSchemaProps copy = MAPPER.convertValue(schema, JSONSchemaProps.class);
    if (copy.getProperties() != null) {
      skip.forEach(copy.getProperties()::remove);
    }
    return copy;
  }

  private void walk(JSONSchemaProps s, JsonNode value, JsonNode old, String path, List<Cause> causes, boolean root) {
    if (value == null || value.isNull()) {
      if (Boolean.TRUE.equals(s.getNullable())) {
        return;
      }
      if (!root) {
        causes.add(invalid(path, "null", path + " in body must be of type " + s.getType() + ": \"null\""));
      }
      return;
    }
    if (!typeMatches(s, value)) {
      causes.add(invalid(path, typeName(value), path + " in body must be of type " + s.getType() + ": \"" + typeName(value) + "\""));
      return;
    }
    int before = structural(causes);
    if (value.isObject()) {
      object(s, (ObjectNode) value, old, path, causes, root);
    } else if (value.isArray()) {
      array(s, (ArrayNode) value, old, path, causes);
    } else {
      scalar(s, value, path, causes);
    }
    // CEL rules run only on values whose structural checks passed (their types are known)
    if (structural(causes) == before && s.getXKubernetesValidations() != null) {
      for (ValidationRule rule : s.getXKubernetesValidations()) {
        boolean transition = CelRules.isTransitionRule(rule.getRule());
        if (transition && (old == null || old.isMissingNode() || old.isNull())) {
          continue;
        }
        String failure = cel.check(rule.getRule(), toCel(value), transition ? toCel(old) : null);
        if (failure != null) {
          String message = rule.getMessage() != null ? rule.getMessage() : "failed rule: " + rule.getRule();
          causes.add(new Cause(display(path), "FieldValueInvalid",
              display(path) + ": Invalid value: \"" + typeName(value) + "\": " + message, true));
        }
      }
    }
  }

  private void object(JSONSchemaProps s, ObjectNode value, JsonNode old, String path, List<Cause> causes, boolean root) {
    Map<String, JSONSchemaProps> props = s.getProperties() == null ? Map.of() : s.getProperties();
    boolean preserve = Boolean.TRUE.equals(s.getXKubernetesPreserveUnknownFields());
    JSONSchemaProps additional =
        s.getAdditionalProperties() != null ? s.getAdditionalProperties().getSchema() : null;
    if (!props.isEmpty() || additional == null) {
      // unknown fields are pruned silently, as an API server does for structural schemas
      if (!preserve) {
        for (Iterator<String> it = value.fieldNames(); it.hasNext(); ) {
          String name = it.next();
          if (!props.containsKey(name) && !(root && List.of("apiVersion", "kind", "metadata").contains(name))) {
            it.remove();
          }
        }
      }
      for (Map.Entry<String, JSONSchemaProps> e : props.entrySet()) {
        if (!value.has(e.getKey()) && e.getValue().getDefault() != null) {
          value.set(e.getKey(), MAPPER.valueToTree(e.getValue().getDefault()));
        }
      }
      if (s.getRequired() != null) {
        for (String r : s.getRequired()) {
          if (!value.has(r)) {
            causes.add(new Cause(display(child(path, r)), "FieldValueRequired", display(child(path, r)) + ": Required value"));
          }
        }
      }
      for (Map.Entry<String, JSONSchemaProps> e : props.entrySet()) {
        if (value.has(e.getKey())) {
          walk(e.getValue(), value.get(e.getKey()), childOf(old, e.getKey()), child(path, e.getKey()), causes, false);
        }
      }
    } else {
      for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
        var e = it.next();
        walk(additional, e.getValue(), childOf(old, e.getKey()), path + "[" + e.getKey() + "]", causes, false);
      }
    }
    if (s.getMinProperties() != null && value.size() < s.getMinProperties()) {
      causes.add(invalid(path, "object", display(path) + " in body should have at least " + s.getMinProperties() + " properties"));
    }
    if (s.getMaxProperties() != null && value.size() > s.getMaxProperties()) {
      causes.add(new Cause(display(path), "FieldValueTooMany",
          display(path) + ": Too many: " + value.size() + ": must have at most " + s.getMaxProperties() + " items"));
    }
  }

  private void array(JSONSchemaProps s, ArrayNode value, JsonNode old, String path, List<Cause> causes) {
    if (s.getMaxItems() != null && value.size() > s.getMaxItems()) {
      causes.add(new Cause(display(path), "FieldValueTooMany",
          display(path) + ": Too many: " + value.size() + ": must have at most " + s.getMaxItems() + " items"));
      return;
    }
    if (s.getMinItems() != null && value.size() < s.getMinItems()) {
      causes.add(invalid(path, "array", display(path) + " in body should have at least " + s.getMinItems() + " items"));
    }
    if (Boolean.TRUE.equals(s.getUniqueItems()) && new java.util.HashSet<>(toCel(value) instanceof List<?> l ? l : List.of()).size() < value.size()) {
      causes.add(invalid(path, "array", display(path) + " in body shouldn't contain duplicates"));
    }
    if (s.getItems() != null && s.getItems().getSchema() != null) {
      for (int i = 0; i < value.size(); i++) {
        walk(s.getItems().getSchema(), value.get(i), null, path + "[" + i + "]", causes, false);
      }
    }
  }

  private static void scalar(JSONSchemaProps s, JsonNode value, String path, List<Cause> causes) {
    String p = display(path);
    if (s.getEnum() != null && !s.getEnum().isEmpty()) {
      List<JsonNode> allowed = s.getEnum().stream().map(MAPPER::valueToTree).map(JsonNode.class::cast).toList();
      if (!allowed.contains(value)) {
        causes.add(new Cause(p, "FieldValueNotSupported", p + ": Unsupported value: " + literal(value) + ": supported values: "
            + allowed.stream().map(SchemaAdmission::literal).collect(Collectors.joining(", "))));
        return;
      }
    }
    if (value.isNumber()) {
      // kube-openapi's messages: "less than" / "greater than" when the bound is exclusive
      double v = value.asDouble();
      boolean exclusiveMax = Boolean.TRUE.equals(s.getExclusiveMaximum());
      if (s.getMaximum() != null && (v > s.getMaximum() || (exclusiveMax && v == s.getMaximum()))) {
        causes.add(invalid(p, value.asText(), p + " in body should be less than " + (exclusiveMax ? "" : "or equal to ")
            + number(s.getMaximum())));
      }
      boolean exclusiveMin = Boolean.TRUE.equals(s.getExclusiveMinimum());
      if (s.getMinimum() != null && (v < s.getMinimum() || (exclusiveMin && v == s.getMinimum()))) {
        causes.add(invalid(p, value.asText(), p + " in body should be greater than " + (exclusiveMin ? "" : "or equal to ")
            + number(s.getMinimum())));
      }
      if (s.getMultipleOf() != null && s.getMultipleOf() > 0 && Math.abs(Math.IEEEremainder(v, s.getMultipleOf())) > 1e-9) {
        causes.add(invalid(p, value.asText(), p + " in body should be a multiple of " + number(s.getMultipleOf())));
      }
    }
    if (value.isTextual()) {
      String text = value.asText();
      if (s.getMaxLength() != null && text.length() > s.getMaxLength()) {
        causes.add(new Cause(p, "FieldValueTooLong", p + ": Too long: may not be more than " + s.getMaxLength() + " bytes"));
      }
      if (s.getMinLength() != null && text.length() < s.getMinLength()) {
        causes.add(invalid(p, literal(value), p + " in body should be at least " + s.getMinLength() + " chars long"));
      }
      if (s.getPattern() != null && !Pattern.compile(s.getPattern()).matcher(text).find()) {
        causes.add(invalid(p, literal(value), p + " in body should match '" + s.getPattern() + "'"));
      }
    }
  }

  private static Cause invalid(String path, String shownValue, String detail) {
    String p = display(path);
    String shown = shownValue.startsWith("\"") ? shownValue : shownValue.matches("-?[0-9.]+") ? shownValue : "\"" + shownValue + "\"";
    return new Cause(p, "FieldValueInvalid", p + ": Invalid value: " + shown + ": " + detail);
  }

  private static boolean typeMatches(JSONSchemaProps s, JsonNode v) {
    if (Boolean.TRUE.equals(s.getXKubernetesIntOrString())) {
      return v.isIntegralNumber() || v.isTextual();
    }
    String type = s.getType();
    if (type == null) {
      return true;
    }
    return switch (type) {
      case "object" -> v.isObject();
      case "array" -> v.isArray();
      case "string" -> v.isTextual();
      case "integer" -> v.isIntegralNumber() || (v.isNumber() && v.asDouble() == Math.rint(v.asDouble()));
      case "number" -> v.isNumber();
      case "boolean" -> v.isBoolean();
      default -> true;
    };
  }

  private static String typeName(JsonNode v) {
    if (v.isObject()) {
      return "object";
    }
    if (v.isArray()) {
      return "array";
    }
    if (v.isTextual()) {
      return "string";
    }
    if (v.isIntegralNumber()) {
      return "integer";
    }
    if (v.isNumber()) {
      return "number";
    }
    if (v.isBoolean()) {
      return "boolean";
    }
    return "null";
  }

  private static String literal(JsonNode v) {
    return v.isTextual() ? "\"" + v.asText() + "\"" : v.toString();
  }

  private static String number(double d) {
    return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
  }

  private static String child(String path, String name) {
    return path.isEmpty() ? name : path + "." + name;
  }

  private static String display(String path) {
    return path.isEmpty() ? "<root>" : path;
  }

  private static JsonNode childOf(JsonNode old, String name) {
    return old == null || !old.isObject() ? null : old.get(name);
  }

  /** JSON to the values CEL's Java runtime understands: Map, List, Long, Double, String, Boolean. */
  static Object toCel(JsonNode v) {
    if (v == null || v.isNull() || v.isMissingNode()) {
      return dev.cel.common.values.NullValue.NULL_VALUE;
    }
    if (v.isObject()) {
      Map<String, Object> m = new LinkedHashMap<>();
      v.fields().forEachRemaining(e -> m.put(e.getKey(), toCel(e.getValue())));
      return m;
    }
    if (v.isArray()) {
      List<Object> l = new ArrayList<>();
      v.forEach(x -> l.add(toCel(x)));
      return l;
    }
    if (v.isIntegralNumber()) {
      return v.asLong();
    }
    if (v.isNumber()) {
      return v.asDouble();
    }
    if (v.isBoolean()) {
      return v.asBoolean();
    }
    return v.asText();
  }

  static ObjectNode emptyObject() {
    return JsonNodeFactory.instance.objectNode();
  }
}
