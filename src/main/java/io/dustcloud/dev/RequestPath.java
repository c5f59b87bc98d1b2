package io.dustcloud.dev;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** A request target split into its path and its decoded query parameters (first value wins). */
record RequestPath(String path, Map<String, String> query) {

  static RequestPath parse(String target) {
    int q = target.indexOf('?');
    if (q < 0) {
      return new RequestPath(target, Map.of());
    }
    Map<String, String> query = new LinkedHashMap<>();
    for (String pair : target.substring(q + 1).split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String key = decode(eq < 0 ? pair : pair.substring(0, eq));
      String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
      query.putIfAbsent(key, value);
    }
    return new RequestPath(target.substring(0, q), Collections.unmodifiableMap(query));
  }

  String param(String name) {
    return query.get(name);
  }

  boolean isWatch() {
    return "true".equals(query.get("watch")) || "1".equals(query.get("watch"));
  }

  /** The path with only the named parameters kept (those that are present), re-encoded. */
  RequestPath keeping(Set<String> names) {
    Map<String, String> kept = new LinkedHashMap<>(query);
    kept.keySet().retainAll(names);
    return new RequestPath(path, kept);
  }

  RequestPath with(String name, String value) {
    Map<String, String> changed = new LinkedHashMap<>(query);
    if (value == null || value.isEmpty()) {
      changed.remove(name);
    } else {
      changed.put(name, value);
    }
    return new RequestPath(path, changed);
  }

  /** Path segments without the empty leading one: "/apis/g/v" gives [apis, g, v]. */
  String[] segments() {
    String trimmed = path.replaceAll("^/+|/+$", "");
    return trimmed.isEmpty() ? new String[0] : trimmed.split("/");
  }

  String target() {
    if (query.isEmpty()) {
      return path;
    }
    return path + "?" + query.entrySet().stream()
        .map(e -> encode(e.getKey()) + "=" + encode(e.getValue()))
        .collect(Collectors.joining("&"));
  }

  private static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
