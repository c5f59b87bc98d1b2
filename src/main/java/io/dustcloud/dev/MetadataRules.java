package io.dustcloud.dev;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The API server's own checks of an object's metadata (apimachinery's ValidateObjectMeta), with its
 * messages: the name of a custom resource, label keys and values, and the total size of the
 * annotations. They run on every write that can change metadata, of every kind.
 */
final class MetadataRules {
  /** apimachinery's TotalAnnotationSizeLimitB: keys and values together. */
  static final int ANNOTATIONS_LIMIT_BYTES = 256 * 1024;

  private static final Pattern DNS_SUBDOMAIN =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
  private static final Pattern LABEL_VALUE = Pattern.compile("(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?");
  private static final Pattern NAME_PART = Pattern.compile("([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]");

  private MetadataRules() {
  }

  /**
   * @param customResource whether to check the name as a custom resource's (an RFC 1123 subdomain);
   *     built-in kinds have their own name rules, which dev mode does not model
   */
  static List<SchemaAdmission.Cause> check(ObjectNode object, boolean customResource) {
    List<SchemaAdmission.Cause> causes = new ArrayList<>();
    JsonNode meta = object.path("metadata");
    String name = meta.path("name").asText("");
    if (customResource && !name.isEmpty() && (name.length() > 253 || !DNS_SUBDOMAIN.matcher(name).matches())) {
      causes.add(invalid("metadata.name", name, "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric"
          + " characters, '-' or '.', and must start and end with an alphanumeric character (at most 253 characters)"));
    }
    for (Map.Entry<String, JsonNode> label : iterable(meta.path("labels"))) {
      String keyProblem = qualifiedNameProblem(label.getKey());
      if (keyProblem != null) {
        causes.add(invalid("metadata.labels", label.getKey(), keyProblem));
      }
      String v = label.getValue().asText("");
      if (v.length() > 63) {
        causes.add(invalid("metadata.labels", v, "must be no more than 63 characters"));
      } else if (!LABEL_VALUE.matcher(v).matches()) {
        causes.add(invalid("metadata.labels", v, "a valid label must be an empty string or consist of alphanumeric"
            + " characters, '-', '_' or '.', and must start and end with an alphanumeric character"));
      }
    }
    long annotationBytes = 0;
    for (Map.Entry<String, JsonNode> annotation : iterable(meta.path("annotations"))) {
      annotationBytes += annotation.getKey().getBytes(StandardCharsets.UTF_8).length
          + annotation.getValue().asText("").getBytes(StandardCharsets.UTF_8).length;
    }
    if (annotationBytes > ANNOTATIONS_LIMIT_BYTES) {
      causes.add(new SchemaAdmission.Cause("metadata.annotations", "FieldValueTooLong",
          "metadata.annotations: Too long: must have at most " + ANNOTATIONS_LIMIT_BYTES + " bytes"));
    }
    return causes;
  }

  /** A label key: an optional DNS-subdomain prefix and "/", then a name of at most 63 characters. */
  private static String qualifiedNameProblem(String key) {
    int slash = key.lastIndexOf('/');
    String prefix = slash < 0 ? null : key.substring(0, slash);
    String name = key.substring(slash + 1);
    if (prefix != null && (prefix.isEmpty() || prefix.length() > 253 || !DNS_SUBDOMAIN.matcher(prefix).matches())) {
      return "prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or"
          + " '.', and must start and end with an alphanumeric character";
    }
    if (name.isEmpty()) {
      return "name part must be non-empty";
    }
    if (name.length() > 63) {
      return "name part must be no more than 63 characters";
    }
    if (!NAME_PART.matcher(name).matches()) {
      return "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an"
          + " alphanumeric character";
    }
    return null;
  }

  private static SchemaAdmission.Cause invalid(String field, String value, String detail) {
    return new SchemaAdmission.Cause(field, "FieldValueInvalid", field + ": Invalid value: \"" + value + "\": " + detail);
  }

  private static Iterable<Map.Entry<String, JsonNode>> iterable(JsonNode node) {
    return node::fields;
  }
}
