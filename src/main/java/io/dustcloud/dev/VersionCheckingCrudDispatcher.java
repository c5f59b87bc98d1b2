package io.dustcloud.dev;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * fabric8's CRUD store with the optimistic concurrency a real API server has on status writes:
 * a replace of {@code /status} that names a resourceVersion other than the current one is
 * refused with 409. The store itself checks the version it rebuilt from its own copy, so a
 * status written from a stale read silently overwrote a newer one: the operator's guarded
 * status writes (and the tests of them) need the refusal. Writes are serialized so the check
 * and the write see the same object.
 */
public class VersionCheckingCrudDispatcher extends KubernetesCrudDispatcher {
  @Override
  public MockResponse dispatch(RecordedRequest request) {
    // no lock across the check and the write: the store notifies watchers while it writes, on
    // the server's event loops, and a request waiting for such a lock on one of those loops
    // deadlocked the server. Two writes naming the same version at the same instant can both
    // pass; a stale read (what this is for) cannot.
    MockResponse conflict = request.method() == HttpMethod.PUT ? staleStatusWrite(request) : null;
    return conflict != null ? conflict : super.dispatch(request);
  }

  /**
   * Generation moves only when what the object asks for changes: anything but metadata and status
   * (the store's own rule also counted changes the client cannot see, so a replace with an
   * unchanged spec bumped it). Status writes never get here.
   */
  @Override
  public void touchGeneration(JsonNode current, JsonNode updated) {
    if (!desired(current).equals(NUMBERS_BY_VALUE, desired(updated)) && updated.get("metadata") instanceof ObjectNode meta) {
      meta.put("generation", current.path("metadata").path("generation").asLong(0) + 1);
    }
  }

  /**
   * 2 and 2.0 are one value: a schema default of 2.0 is stored as a double, and kubectl sends back
   * the 2 it printed (kube-apiserver stores both as the JSON number 2).
   */
  private static final java.util.Comparator<JsonNode> NUMBERS_BY_VALUE = (a, b) ->
      a.isNumber() && b.isNumber() ? a.decimalValue().compareTo(b.decimalValue()) : a.equals(b) ? 0 : 1;

  private static JsonNode desired(JsonNode object) {
    ObjectNode copy = object.deepCopy();
    copy.remove(java.util.List.of("metadata", "status"));
    return copy;
  }

  private MockResponse staleStatusWrite(RecordedRequest request) {
    String path = RequestPath.parse(request.getPath()).path();
    if (!path.endsWith("/status") || request.getBody() == null) {
      return null;
    }
    JsonNode body = Responses.parse(new String(request.getBody().getBytes(), StandardCharsets.UTF_8));
    String named = body.path("metadata").path("resourceVersion").asText("");
    if (named.isEmpty()) {
      return null; // an unconditional write, as on a real server
    }
    AttributeSet key = getKey(path.substring(0, path.length() - "/status".length()));
    String current = null;
    synchronized (map) {
      for (Map.Entry<AttributeSet, String> e : map.entrySet()) {
        if (e.getKey().matches(key)) {
          current = e.getValue();
          break;
        }
      }
    }
    if (current == null) {
      return null; // the store answers 404
    }
    String stored = Responses.parse(current).path("metadata").path("resourceVersion").asText("");
    if (stored.equals(named)) {
      return null;
    }
    return Responses.status(409, "Conflict", "Operation cannot be fulfilled on " + body.path("kind").asText("object")
        + " \"" + body.path("metadata").path("name").asText() + "\": the object has been modified; please apply your"
        + " changes to the latest version and try again");
  }
}
