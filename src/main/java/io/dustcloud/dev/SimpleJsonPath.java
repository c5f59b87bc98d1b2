package io.dustcloud.dev;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The subset of kubectl's JSONPath that CRD printer columns and field selectors use:
 * {@code .a.b}, {@code .a[0]}, {@code .a['b.c']}, {@code .a[*]} and {@code .a[?(@.x.y=="v")]} (also {@code !=}).
 * Anything else is rejected with IllegalArgumentException rather than silently mis-evaluated.
 */
final class SimpleJsonPath {

  private static final Pattern FIELD = Pattern.compile("\\.([^.\\[]+)");
  private static final Pattern INDEX = Pattern.compile("\\[(-?\\d+|\\*)]");
  private static final Pattern QUOTED_KEY = Pattern.compile("\\['([^']*)']");
  private static final Pattern FILTER =
      Pattern.compile("\\[\\?\\(@((?:\\.[^.=!\\]\\)\\s]+)+)\\s*(==|!=)\\s*(?:\"([^\"]*)\"|'([^']*)'|([^)\\]]+))\\)]");

  private SimpleJsonPath() {
  }

  /** The first value the path selects, or null when it selects nothing. */
  static JsonNode first(JsonNode root, String path) {
    List<JsonNode> all = evaluate(root, path);
    return all.isEmpty() ? null : all.get(0);
  }

  static List<JsonNode> evaluate(JsonNode root, String path) {
    String p = path.trim();
    if (p.startsWith("{") && p.endsWith("}")) {
      p = p.substring(1, p.length() - 1);
    }
    if (p.startsWith("$")) {
      p = p.substring(1);
    }
    List<JsonNode> current = List.of(root);
    int pos = 0;
    while (pos < p.length() && !current.isEmpty()) {
      Matcher m;
      if ((m = match(FIELD, p, pos)) != null) {
        current = children(current, m.group(1));
      } else if ((m = match(QUOTED_KEY, p, pos)) != null) {
        current = children(current, m.group(1));
      } else if ((m = match(INDEX, p, pos)) != null) {
        current = indexed(current, m.group(1));
      } else if ((m = match(FILTER, p, pos)) != null) {
        current = filtered(current, m);
      } else {
        throw new IllegalArgumentException("unsupported JSONPath at '" + p.substring(pos) + "' in " + path);
      }
      pos = m.end();
    }
    return current.stream().filter(n -> !n.isMissingNode() && !n.isNull()).toList();
  }

  private static Matcher match(Pattern pattern, String p, int pos) {
    Matcher m = pattern.matcher(p);
    m.region(pos, p.length());
    return m.lookingAt() ? m : null;
  }

  private static List<JsonNode> children(List<JsonNode> nodes, String field) {
    List<JsonNode> out = new ArrayList<>();
    nodes.forEach(n -> {
      if (n.has(field)) {
        out.add(n.get(field));
      }
    });
    return out;
  }

  private static List<JsonNode> indexed(List<JsonNode> nodes, String index) {
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode n : nodes) {
      if (!n.isArray()) {
        continue;
      }
      if (index.equals("*")) {
        n.forEach(out::add);
      } else {
        int i = Integer.parseInt(index);
        int at = i < 0 ? n.size() + i : i;
        if (at >= 0 && at < n.size()) {
          out.add(n.get(at));
        }
      }
    }
    return out;
  }

  private static List<JsonNode> filtered(List<JsonNode> nodes, Matcher filter) {
    String field = filter.group(1);
    boolean equals = filter.group(2).equals("==");
    String expected = filter.group(3) != null ? filter.group(3)
        : filter.group(4) != null ? filter.group(4) : filter.group(5).trim();
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode element : indexed(nodes, "*")) {
      JsonNode value = first(element, field);
      boolean same = value != null && value.asText().equals(expected);
      if (same == equals) {
        out.add(element);
      }
    }
    return out;
  }
}
