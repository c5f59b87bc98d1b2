package io.dustcloud.supervisor;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small parser for the Prometheus text exposition format (0.0.4): comments, {@code # TYPE}
 * lines, samples with labels (escaped values), an optional timestamp, and the special values
 * {@code +Inf}, {@code -Inf} and {@code NaN}. Enough for counters and gauges; histograms and
 * summaries parse as their plain {@code _bucket}, {@code _sum} and {@code _count} series.
 */
public final class PrometheusText {
  private PrometheusText() {}

  public record Sample(String name, Map<String, String> labels, double value) {}

  /**
   * @param samples the samples kept, in order
   * @param types metric family types from {@code # TYPE} lines (counter, gauge, …)
   */
  public record Parsed(List<Sample> samples, Map<String, String> types) {
    /** The sum over every label set of {@code name}; NaN when no sample has that name. */
    public double sum(String name) {
      double total = 0;
      boolean found = false;
      for (Sample s : samples) {
        if (s.name().equals(name)) {
          total += s.value();
          found = true;
        }
      }
      return found ? total : Double.NaN;
    }

    /**
     * Whether {@code name} is a counter: its {@code # TYPE} says so (also under the
     * OpenMetrics family name without {@code _total}), or, untyped, its name ends in
     * {@code _total}.
     */
    public boolean isCounter(String name) {
      String type = types.get(name);
      if (type == null && name.endsWith("_total")) {
        type = types.getOrDefault(name.substring(0, name.length() - "_total".length()), "counter");
      }
      return "counter".equals(type);
    }
  }

  /** Every sample in {@code body}. */
  public static Parsed parse(String body) {
    return parse(body, null);
  }

  /**
   * The samples named {@code only} (all when null). Other lines are skipped after reading
   * their name, which keeps a scrape of a large exposition cheap.
   *
   * @throws IllegalArgumentException naming the line when a sample is malformed
   */
  public static Parsed parse(String body, String only) {
    List<Sample> samples = new ArrayList<>();
    Map<String, String> types = new HashMap<>();
    int lineNo = 0;
    int pos = 0;
    int end = body.length();
    while (pos < end) {
      int eol = body.indexOf('\n', pos);
      if (eol < 0) {
        eol = end;
      }
      lineNo++;
      String line = body.substring(pos, eol).strip();
      pos = eol + 1;
      if (line.isEmpty()) {
        continue;
      }
      if (line.charAt(0) == '#') {
        comment(line, types);
        continue;
      }
      int nameEnd = 0;
      while (nameEnd < line.length() && isNameChar(line.charAt(nameEnd), nameEnd == 0)) {
        nameEnd++;
      }
      if (nameEnd == 0) {
        throw malformed(lineNo, "no metric name");
      }
      String name = line.substring(0, nameEnd);
      if (only != null && !only.equals(name)) {
        continue;
      }
      samples.add(sample(line, name, nameEnd, lineNo));
    }
    return new Parsed(samples, types);
  }

  /** Compiled once: {@code String.split("\\s+")} compiles its pattern on every call, twice a scrape and more. */
  private static final java.util.regex.Pattern WHITESPACE = java.util.regex.Pattern.compile("\\s+");

  private static void comment(String line, Map<String, String> types) {
    // only TYPE comments matter: HELP lines, the longest, are skipped without a regex split
    // (issue 20: scrapes are most of what settled fleets cost)
    int i = skipSpaces(line, 1);
    if (!line.startsWith("TYPE", i) || i + 4 >= line.length() || !Character.isWhitespace(line.charAt(i + 4))) {
      return;
    }
    String[] parts = WHITESPACE.split(line.substring(1).strip());
    if (parts.length >= 3 && parts[0].equals("TYPE")) {
      types.put(parts[1], parts[2]);
    }
  }

  private static Sample sample(String line, String name, int at, int lineNo) {
    Map<String, String> labels = Map.of();
    int i = skipSpaces(line, at);
    if (i < line.length() && line.charAt(i) == '{') {
      labels = new LinkedHashMap<>();
      i = labels(line, i + 1, labels, lineNo);
    }
    String[] rest = WHITESPACE.split(line.substring(i).strip());
    if (rest.length < 1 || rest.length > 2 || rest[0].isEmpty()) {
      throw malformed(lineNo, "expected a value and an optional timestamp");
    }
    return new Sample(name, labels, value(rest[0], lineNo));
  }

  /** Reads {@code a="x",b="y"}} from {@code i}; returns the index after the closing brace. */
  private static int labels(String line, int i, Map<String, String> labels, int lineNo) {
    while (true) {
      i = skipSpaces(line, i);
      if (i < line.length() && line.charAt(i) == '}') {
        return i + 1;
      }
      int nameStart = i;
      while (i < line.length() && isNameChar(line.charAt(i), i == nameStart) && line.charAt(i) != ':') {
        i++;
      }
      if (i == nameStart) {
        throw malformed(lineNo, "bad label name");
      }
      String label = line.substring(nameStart, i);
      i = skipSpaces(line, i);
      if (i + 1 >= line.length() || line.charAt(i) != '=' || line.charAt(skipSpaces(line, i + 1)) != '"') {
        throw malformed(lineNo, "expected =\" after label " + label);
      }
      i = skipSpaces(line, i + 1) + 1;
      StringBuilder value = new StringBuilder();
      while (true) {
        if (i >= line.length()) {
          throw malformed(lineNo, "unterminated label value");
        }
        char c = line.charAt(i++);
        if (c == '"') {
          break;
        }
        if (c == '\\' && i < line.length()) {
          char e = line.charAt(i++);
          value.append(e == 'n' ? '\n' : e);
        } else {
          value.append(c);
        }
      }
      labels.put(label, value.toString());
      i = skipSpaces(line, i);
      if (i < line.length() && line.charAt(i) == ',') {
        i++;
      } else if (i >= line.length() || line.charAt(i) != '}') {
        throw malformed(lineNo, "expected , or } after label " + label);
      }
    }
  }

  private static double value(String s, int lineNo) {
    switch (s) {
      case "+Inf", "Inf" -> {
        return Double.POSITIVE_INFINITY;
      }
      case "-Inf" -> {
        return Double.NEGATIVE_INFINITY;
      }
      case "NaN" -> {
        return Double.NaN;
      }
      default -> {
        try {
          return Double.parseDouble(s);
        } catch (NumberFormatException e) {
          throw malformed(lineNo, "bad value '" + s + "'");
        }
      }
    }
  }

  private static int skipSpaces(String s, int i) {
    while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t')) {
      i++;
    }
    return i;
  }

  private static boolean isNameChar(char c, boolean first) {
    return c == '_' || c == ':' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (!first && c >= '0' && c <= '9');
  }

  private static IllegalArgumentException malformed(int line, String why) {
    return new IllegalArgumentException("line " + line + ": " + why);
  }
}
