package io.dustcloud.dev;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A field selector split in two: the terms the CRUD store evaluates itself (equality on metadata.name and
 * metadata.namespace) and the rest, which it would silently turn into "match nothing" (e.g. kubectl describe's
 * involvedObject.uid=... on events). The rest are evaluated here against the JSON objects.
 */
final class FieldSelector {

  private static final Pattern TERM = Pattern.compile("([^=!]+)(==|!=|=)(.*)");
  private static final List<String> STORE_FIELDS = List.of("metadata.name", "metadata.namespace");

  private record Term(String field, boolean equals, String value) {
    boolean storeEvaluates() {
      return equals && STORE_FIELDS.contains(field);
    }

    boolean matches(JsonNode object) {
      JsonNode node = SimpleJsonPath.first(object, "." + field);
      // As in Kubernetes, a missing field compares as the empty string.
      String actual = node == null ? "" : node.asText();
      return actual.equals(value) == equals;
    }

    @Override
    public String toString() {
      return field + (equals ? "=" : "!=") + value;
    }
  }

  private final List<Term> terms;

  private FieldSelector(List<Term> terms) {
    this.terms = terms;
  }

  static FieldSelector parse(String selector) {
    List<Term> terms = new ArrayList<>();
    if (selector != null) {
      for (String raw : selector.split(",")) {
        Matcher m = TERM.matcher(raw.trim());
        if (m.matches()) {
          terms.add(new Term(m.group(1).trim(), !m.group(2).equals("!="), m.group(3).trim()));
        } else if (!raw.isBlank()) {
          throw new IllegalArgumentException("invalid field selector term: " + raw);
        }
      }
    }
    return new FieldSelector(terms);
  }

  /** The part to pass on to the CRUD store, or null when there is none. */
  String forStore() {
    String s = terms.stream().filter(Term::storeEvaluates).map(Term::toString).collect(Collectors.joining(","));
    return s.isEmpty() ? null : s;
  }

  boolean needsLocalFiltering() {
    return terms.stream().anyMatch(t -> !t.storeEvaluates());
  }

  /** Whether the object satisfies the terms the store does not evaluate. */
  boolean matchesLocally(JsonNode object) {
    return terms.stream().filter(t -> !t.storeEvaluates()).allMatch(t -> t.matches(object));
  }
}
