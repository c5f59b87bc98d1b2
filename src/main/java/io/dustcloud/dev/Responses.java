package io.dustcloud.dev;

import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.http.MockResponse;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;

/** Building and reading JSON mock responses. */
final class Responses {

  static final String CONTENT_TYPE = "Content-Type";
  static final String JSON = "application/json";

  private Responses() {
  }

  static MockResponse json(int code, Object body) {
    String text = body instanceof String s ? s : Serialization.asJson(body);
    return new MockResponse().setResponseCode(code).setHeader(CONTENT_TYPE, JSON).setBody(text);
  }

  /** A metav1.Status failure, which kubectl turns into "Error from server (Reason): message". */
  static MockResponse status(int code, String reason, String message) {
    ObjectNode status = Serialization.jsonMapper().createObjectNode()
        .put("kind", "Status").put("apiVersion", "v1")
        .put("status", "Failure").put("message", message).put("reason", reason).put("code", code);
    status.putObject("metadata");
    return json(code, status);
  }

  /** The body as text without consuming it (reading a mock Buffer empties it). */
  static String bodyText(MockResponse response) {
    return response.getBody() == null ? "" : new String(response.getBody().getBytes(), StandardCharsets.UTF_8);
  }

  static JsonNode bodyJson(MockResponse response) {
    String text = bodyText(response);
    return text.isBlank() ? null : parse(text);
  }

  static JsonNode parse(String json) {
    try {
      return Serialization.jsonMapper().readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage(), e);
    }
  }

  static boolean hasBody(MockResponse response) {
    return response.getBody() != null && response.getBody().size() > 0;
  }
}
