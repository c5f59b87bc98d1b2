package io.dustcloud.testing.gce;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The field rules of the Compute API that the fake enforces, and the error bodies GCE answers
 * with when they are broken. Messages follow GCE's wording ("Invalid value for field
 * 'resource.x': ...", "Required field 'resource.x' not specified", "The resource '...' was
 * not found") so that a provider showing GCE's message to an SRE is tested with a realistic one.
 */
final class FakeRules {
  /** RFC 1035 names, as every Compute resource name must be. */
  static final Pattern NAME = Pattern.compile("[a-z]([-a-z0-9]{0,61}[a-z0-9])?");
  /** Network tags: same shape as names, at most 63 characters. */
  static final Pattern TAG = NAME;
  static final Pattern LABEL_KEY = Pattern.compile("[\\p{Ll}\\p{Lo}][\\p{Ll}\\p{Lo}\\p{N}_-]{0,62}");
  static final Pattern LABEL_VALUE = Pattern.compile("[\\p{Ll}\\p{Lo}\\p{N}_-]{0,63}");
  private static final Pattern CIDR = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})(/(\\d{1,2}))?");
  private static final Pattern PORT_OR_RANGE = Pattern.compile("(\\d{1,5})(-(\\d{1,5}))?");

  private static final Pattern SCOPE = Pattern.compile("(?:^|/)((?:regions|zones)/[a-z0-9-]+)/");

  private FakeRules() {}

  /** A refused call: the status and body GCE answers (no operation is created). */
  static final class Refusal extends RuntimeException {
    final int status;
    final ObjectNode body;

    Refusal(int status, String reason, String message) {
      super(message, null, false, false);
      this.status = status;
      this.body = FakeCompute.error(status, reason, message);
    }
  }

  static Refusal invalid(String field, Object value, String why) {
    return new Refusal(400, "invalid", "Invalid value for field 'resource." + field + "': '" + value + "'. " + why);
  }

  static Refusal required(String field) {
    return new Refusal(400, "required", "Required field 'resource." + field + "' not specified");
  }

  static Refusal notFound(String path) {
    return new Refusal(404, "notFound", "The resource '" + path + "' was not found");
  }

  static Refusal alreadyExists(String path) {
    return new Refusal(409, "alreadyExists", "The resource '" + path + "' already exists");
  }

  static Refusal inUse(String kind, String path, String user) {
    return new Refusal(400, "resourceInUseByAnotherResource",
        "The " + kind + " resource '" + path + "' is already being used by '" + user + "'");
  }

  static void name(JsonNode body) {
    if (!body.hasNonNull("name")) {
      throw required("name");
    }
    String name = body.path("name").asText();
    if (!NAME.matcher(name).matches()) {
      throw invalid("name", name, "Must be a match of regex '(?:[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?)'");
    }
  }

  /** GCE's label rules: at most 64, keys start with a lowercase letter, both at most 63 characters. */
  static void labels(JsonNode body) {
    JsonNode labels = body.path("labels");
    if (labels.isMissingNode() || labels.isNull()) {
      return;
    }
    if (!labels.isObject()) {
      throw invalid("labels", labels, "Labels must be a map of strings.");
    }
    if (labels.size() > 64) {
      throw invalid("labels", labels.size(), "A resource can have at most 64 labels.");
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = labels.fields(); it.hasNext();) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!LABEL_KEY.matcher(e.getKey()).matches()) {
        throw invalid("labels", e.getKey(), "Label keys must start with a lowercase letter and contain only lowercase"
            + " letters, digits, underscores and dashes, at most 63 characters.");
      }
      if (!LABEL_VALUE.matcher(e.getValue().asText()).matches()) {
        throw invalid("labels." + e.getKey(), e.getValue().asText(), "Label values contain only lowercase letters,"
            + " digits, underscores and dashes, at most 63 characters.");
      }
    }
  }

  /** An integer field within bounds; {@code fallback} when absent. */
  static int intIn(JsonNode body, String path, int min, int max, int fallback) {
    JsonNode node = at(body, path);
    if (node.isMissingNode() || node.isNull()) {
      return fallback;
    }
    if (!node.canConvertToInt() || (node.isTextual() && !node.asText().matches("-?\\d+"))) {
      throw invalid(path, node.asText(), "Must be an integer.");
    }
    int v = node.asInt();
    if (v < min || v > max) {
      throw invalid(path, v, "Must be between " + min + " and " + max + ".");
    }
    return v;
  }

  /** An enum field; {@code fallback} when absent. */
  static String oneOf(JsonNode body, String path, String fallback, String... allowed) {
    JsonNode node = at(body, path);
    if (node.isMissingNode() || node.isNull()) {
      return fallback;
    }
    for (String a : allowed) {
      if (a.equals(node.asText())) {
        return a;
      }
    }
    throw invalid(path, node.asText(), "Must be one of " + String.join(", ", allowed) + ".");
  }

  static boolean validCidr(String s) {
    var m = CIDR.matcher(s);
    if (!m.matches()) {
      return false;
    }
    for (int i = 1; i <= 4; i++) {
      if (Integer.parseInt(m.group(i)) > 255) {
        return false;
      }
    }
    return m.group(6) == null || Integer.parseInt(m.group(6)) <= 32;
  }

  static boolean validPortRange(String s) {
    var m = PORT_OR_RANGE.matcher(s);
    if (!m.matches()) {
      return false;
    }
    int lo = Integer.parseInt(m.group(1));
    int hi = m.group(3) == null ? lo : Integer.parseInt(m.group(3));
    return lo <= 65535 && hi <= 65535 && lo <= hi;
  }

  static JsonNode at(JsonNode body, String path) {
    JsonNode node = body;
    for (String part : path.split("\\.")) {
      node = node.path(part);
    }
    return node;
  }

  /**
   * JSON merge patch (RFC 7396), which GCE's PATCH methods use: objects merge field by field,
   * everything else (lists included) is replaced, and null removes the field.
   */
  static void merge(ObjectNode target, JsonNode patch) {
    patch.fields().forEachRemaining(e -> {
      JsonNode v = e.getValue();
      JsonNode current = target.get(e.getKey());
      if (v.isNull()) {
        target.remove(e.getKey());
      } else if (v.isObject() && current != null && current.isObject()) {
        merge((ObjectNode) current, v);
      } else {
        target.set(e.getKey(), v.deepCopy());
      }
    });
  }

  /**
   * The name in a reference to {@code collection} when the reference is a full or partial URL
   * of that collection (…/{collection}/NAME), else null. GCE takes both URL forms; a bare name
   * is not a URL.
   */
  static String refName(String ref, String collection) {
    if (ref == null) {
      return null;
    }
    int at = ref.lastIndexOf("/" + collection + "/");
    if (at < 0 && ref.startsWith(collection + "/")) {
      at = -1;
    } else if (at < 0) {
      return null;
    }
    String name = ref.substring(at + collection.length() + 2);
    return NAME.matcher(name).matches() ? name : null;
  }

  /** The region or zone a reference names ({@code regions/R} / {@code zones/Z}), or null for a global or short one. */
  static String refScope(String ref) {
    var m = SCOPE.matcher(ref);
    return m.find() ? m.group(1) : null;
  }
}
