package io.dustcloud.dev;

import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import io.fabric8.zjsonpatch.JsonPatch;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Applies every kind of patch here and stores the result with a PUT, so that a patched object passes the same
 * admission as a replaced one ({@link AdmissionGate}: the CRUD store would apply a JSON patch unchecked, rejects
 * some patch types (415) and gets JSON merge patches wrong: a null stays a null instead of removing the field, so
 * kubectl apply could never drop a key). Requests are dispatched one at a time on the server's event loop, so
 * nothing can change the object between the read and the PUT. A patch of {@code /status} is stored as a PUT of
 * {@code /status}, which admission reduces to the status. Approximations good enough for a dev cluster (field
 * ownership and list merge keys are not modelled):
 * <ul>
 * <li>JSON patch (RFC 6902): exact; a malformed patch is refused with 400, one that cannot be applied (a missing
 * path, a failed test) with 422, as kube-apiserver does;</li>
 * <li>JSON merge patch (RFC 7386): exact;</li>
 * <li>server-side apply (application/apply-patch+yaml): create when missing, else a JSON merge of the body;</li>
 * <li>strategic merge patch (kubectl apply of built-in kinds): a JSON merge without the {@code $directive} keys.</li>
 * </ul>
 */
final class PatchTranslator {

  static final String APPLY_PATCH = "application/apply-patch+yaml";
  static final String STRATEGIC_MERGE_PATCH = "application/strategic-merge-patch+json";
  static final String MERGE_PATCH = "application/merge-patch+json";
  static final String JSON_PATCH = "application/json-patch+json";

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private final Function<RecordedRequest, MockResponse> store;

  PatchTranslator(Function<RecordedRequest, MockResponse> store) {
    this.store = store;
  }

  static boolean handles(String contentType) {
    return isType(contentType, APPLY_PATCH) || isType(contentType, STRATEGIC_MERGE_PATCH)
        || isType(contentType, MERGE_PATCH) || isType(contentType, JSON_PATCH);
  }

  /**
   * @param objectPath the object's (or its status') path without query parameters
   * @param fieldValidation the request's fieldValidation parameter (null when absent), for admission
   */
  MockResponse patch(RecordedRequest request, String objectPath, String fieldValidation) {
    String contentType = request.getHeader(Responses.CONTENT_TYPE);
    boolean apply = isType(contentType, APPLY_PATCH);
    boolean jsonPatch = isType(contentType, JSON_PATCH);
    JsonNode patch = jsonPatch ? parseJsonPatch(request) : stripDirectives(parse(request, apply));
    MockResponse existing = store.apply(rewrite(request, HttpMethod.GET, objectPath, null, null));
    if (existing.code() == 404 && apply) {
      String collection = objectPath.substring(0, objectPath.lastIndexOf('/'));
      return store.apply(rewrite(request, HttpMethod.POST, withParam(collection, fieldValidation), Responses.JSON, patch));
    }
    if (existing.code() != 200) {
      return existing;
    }
    JsonNode patched;
    if (jsonPatch) {
      try {
        patched = JsonPatch.apply(patch, Responses.bodyJson(existing));
      } catch (RuntimeException e) {
        return unprocessable(e.getMessage());
      }
    } else {
      patched = mergePatch(Responses.bodyJson(existing), patch);
    }
    return store.apply(rewrite(request, HttpMethod.PUT, withParam(objectPath, fieldValidation), Responses.JSON, patched));
  }

  /** kube-apiserver's answer to a JSON patch that does not apply: 422 with the patch library's reason as cause. */
  private static MockResponse unprocessable(String why) {
    MockResponse response = Responses.status(422, "Invalid", "the server rejected our request due to an error in our request");
    ObjectNode status = (ObjectNode) Responses.bodyJson(response);
    status.putObject("details").putArray("causes").addObject().put("message", why);
    return Responses.json(422, status);
  }

  private static JsonNode parseJsonPatch(RecordedRequest request) {
    JsonNode patch = Responses.parse(new String(request.getBody().getBytes(), StandardCharsets.UTF_8));
    if (!patch.isArray()) {
      throw new IllegalArgumentException("json: cannot unmarshal object into Go value of type jsonpatch.Patch");
    }
    for (JsonNode op : patch) {
      if (!op.isObject() || !op.path("op").isTextual() || !op.path("path").isTextual()) {
        throw new IllegalArgumentException("invalid JSON patch operation (each needs \"op\" and \"path\"): " + op);
      }
    }
    return patch;
  }

  private static String withParam(String path, String fieldValidation) {
    return fieldValidation == null ? path
        : path + "?" + AdmissionGate.FIELD_VALIDATION + "=" + URLEncoder.encode(fieldValidation, StandardCharsets.UTF_8);
  }

  /** RFC 7386: objects merge recursively, null removes, anything else replaces. */
  static JsonNode mergePatch(JsonNode target, JsonNode patch) {
    if (!patch.isObject()) {
      return patch.deepCopy();
    }
    ObjectNode result = target != null && target.isObject()
        ? ((ObjectNode) target).deepCopy() : JsonNodeFactory.instance.objectNode();
    patch.fields().forEachRemaining(field -> {
      if (field.getValue().isNull()) {
        result.remove(field.getKey());
      } else {
        result.set(field.getKey(), mergePatch(result.get(field.getKey()), field.getValue()));
      }
    });
    return result;
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

  /** The body as JSON; YAML is accepted too for apply patches, whose bodies may be either. */
  private static JsonNode parse(RecordedRequest request, boolean yaml) {
    try {
      // not YAML for every patch: its parser refuses documents over 3 MiB, which must reach admission's size check
      JsonNode node = yaml ? YAML.readTree(request.getBody().getBytes())
          : Responses.parse(new String(request.getBody().getBytes(), StandardCharsets.UTF_8));
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
