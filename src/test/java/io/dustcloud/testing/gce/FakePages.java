package io.dustcloud.testing.gce;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Pages a listing as Compute does: {@code maxResults} per page (default and most 500; more is
 * refused with 400 invalid), {@code nextPageToken} while more remain, {@code pageToken} to go on.
 * Each page is one request against the quota — which is why a listing's cost is not "one call".
 * An aggregated listing pages over all its scopes' items together.
 */
final class FakePages {
  static final int MAX_RESULTS = 500;
  private static final ObjectMapper JSON = new ObjectMapper();

  private FakePages() {}

  /** Whether {@code method} answers in pages. */
  static boolean paged(String method) {
    return method.endsWith(".list") || method.endsWith(".aggregatedList") || method.endsWith(".listManagedInstances")
        || method.endsWith(".listErrors");
  }

  /** The page {@code query} asks for, or a refusal of its paging parameters (as GCE answers them). */
  static int[] window(Map<String, String> query, int pageSize) {
    int max = pageSize;
    String asked = query.get("maxResults");
    if (asked != null) {
      try {
        max = Integer.parseInt(asked);
      } catch (NumberFormatException e) {
        max = -1;
      }
      if (max < 0 || max > MAX_RESULTS) {
        throw new FakeRules.Refusal(400, "invalid",
            "Invalid value for field 'maxResults': '" + asked + "'. Must be less than or equal to 500");
      }
      if (max == 0) {
        max = pageSize;
      }
      max = Math.min(max, pageSize);
    }
    int from = 0;
    String token = query.get("pageToken");
    if (token != null && !token.isEmpty()) {
      try {
        from = Integer.parseInt(new String(java.util.Base64.getUrlDecoder().decode(token),
            java.nio.charset.StandardCharsets.UTF_8).substring("offset:".length()));
      } catch (RuntimeException e) {
        throw new FakeRules.Refusal(400, "invalid", "Invalid value for field 'pageToken': '" + token + "'.");
      }
    }
    return new int[] {from, max};
  }

  /** The {@code body} of a whole listing cut to the asked page; {@code field} holds its items. */
  static JsonNode page(JsonNode body, String field, Map<String, String> query, int pageSize) {
    if (!(body instanceof ObjectNode out) || !body.has(field)) {
      return body;
    }
    int[] w = window(query, pageSize);
    JsonNode all = body.get(field);
    if (all.isArray()) {
      List<JsonNode> items = new ArrayList<>();
      all.forEach(items::add);
      ArrayNode page = JSON.createArrayNode();
      items.subList(Math.min(w[0], items.size()), Math.min(w[0] + w[1], items.size())).forEach(page::add);
      out.set(field, page);
      token(out, w, items.size());
      return out;
    }
    // aggregated: {items: {scope: {collection: [..]}}}, paged over every scope's items in order
    record Entry(String scope, String collection, JsonNode item) {}
    List<Entry> entries = new ArrayList<>();
    all.fields().forEachRemaining(scope -> scope.getValue().fields().forEachRemaining(c -> {
      if (c.getValue().isArray()) {
        c.getValue().forEach(item -> entries.add(new Entry(scope.getKey(), c.getKey(), item)));
      }
    }));
    entries.sort(Comparator.comparing(Entry::scope).thenComparing(e -> e.item().path("name").asText()));
    ObjectNode page = JSON.createObjectNode();
    for (Entry e : entries.subList(Math.min(w[0], entries.size()), Math.min(w[0] + w[1], entries.size()))) {
      ObjectNode scope = page.has(e.scope()) ? (ObjectNode) page.get(e.scope()) : page.putObject(e.scope());
      (scope.has(e.collection()) ? (ArrayNode) scope.get(e.collection()) : scope.putArray(e.collection())).add(e.item());
    }
    out.set(field, page);
    token(out, w, entries.size());
    return out;
  }

  private static void token(ObjectNode out, int[] w, int total) {
    if (w[0] + w[1] < total) {
      out.put("nextPageToken", java.util.Base64.getUrlEncoder().encodeToString(
          ("offset:" + (w[0] + w[1])).getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    } else {
      out.remove("nextPageToken");
    }
  }
}
