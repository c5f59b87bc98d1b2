package io.dustcloud.dev;

import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Turns the patch types the CRUD store rejects (415) into ones it handles. Both are approximations that are good
 * enough for a dev cluster: field ownership and list merge keys are not modelled.
 * <ul>
 * <li>server-side apply (application/apply-patch+yaml): create when missing, else a JSON merge of the body;</li>
 * <li>strategic merge patch (what kubectl apply sends for built-in kinds): a JSON merge patch without the
 * {@code $directive} keys.</li>
 * </ul>
 */
final class PatchTranslator {

  static final String APPLY_PATCH = "application/apply-patch+yaml";
  static final String STRATEGIC_MERGE_PATCH = "application/strategic-merge-patch+json";
  static final String MERGE_PATCH = "application/merge-patch+json";

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private final Function<RecordedRequest, MockResponse> store;

  PatchTranslator(Function<RecordedRequest, MockResponse> store) {
    this.store = store;
  }

  static boolean handles(String contentType) {
    return isType(contentType, APPLY_PATCH) || isType(contentType, STRATEGIC_MERGE_PATCH);
  }

  /** @param objectPath the object's path without query parameters */
  MockResponse patch(RecordedRequest request, String objectPath) {
    if (isType(request.getHeader(Responses.CONTENT_TYPE), APPLY_PATCH)) {
      return serverSideApply(request, objectPath);
    }
    JsonNode patch = stripDirectives(parse(request));
    return store.apply(rewrite(request, HttpMethod.PATCH, objectPath, MERGE_PATCH, patch));
  }

  private MockResponse serverSideApply(RecordedRequest request, String objectPath) {
    JsonNode applied = parse(request);
    MockResponse existing = store.apply(rewrite(request, HttpMethod.GET, objectPath, null, null));
    if (existing.code() == 404) {
      String collection = objectPath.substring(0, objectPath.lastIndexOf('/'));
      return store.apply(rewrite(request, HttpMethod.POST, collection, Responses.JSON, applied));
    }
    MockResponse merged = store.apply(rewrite(request, HttpMethod.PATCH, objectPath, MERGE_PATCH, applied));
    // The store answers patches with 202; apply answers 200 like a real server.
    return merged.code() == 202 ? merged.setResponseCode(200) : merged;
  }

  /** Strategic-merge directives ($patch, $setElementOrder/..., $retainKeys, ...) mean nothing to a JSON merge. */
  private static JsonNode stripDirectives(JsonNode node) {
    if (node instanceof ObjectNode object) {
      for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext();) {
        Map.Entry<String, JsonNode> field = it.next();
        if (field.getKey().startsWith("$")) {
          it.remove();
        } else {
          stripDirectives(field.getValue());
        }
      }
    } else if (node != null && node.isArray()) {
      node.forEach(PatchTranslator::stripDirectives);
    }
    return node;
  }

  /** The body as JSON; YAML is accepted too since apply-patch bodies may be either. */
  private static JsonNode parse(RecordedRequest request) {
    try {
      JsonNode node = YAML.readTree(request.getBody().getBytes());
      if (node == null || !node.isObject()) {
        throw new IllegalArgumentException("patch body must be an object");
      }
      return node;
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException("unreadable patch body: " + e.getMessage(), e);
    }
  }

  static RecordedRequest rewrite(RecordedRequest original, HttpMethod method, String target, String contentType,
      JsonNode body) {
    Headers.Builder headers = original.getHeaders().newBuilder();
    if (contentType != null) {
      headers.removeAll(Responses.CONTENT_TYPE).add(Responses.CONTENT_TYPE, contentType);
    }
    byte[] bytes = body == null ? original.getBody().getBytes() : toJson(body);
    return new RecordedRequest(original.getHttpVersion(), method, target, headers.build(), new Buffer(bytes));
  }

  private static byte[] toJson(JsonNode body) {
    try {
      return new ObjectMapper().writeValueAsString(body).getBytes(StandardCharsets.UTF_8);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static boolean isType(String contentType, String expected) {
    return contentType != null && contentType.toLowerCase(Locale.ROOT).startsWith(expected);
  }
}
