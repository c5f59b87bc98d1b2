package io.dustcloud.dev;

import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.http.MockResponse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.StreamSupport;

/**
 * Answers plain-HTTP watches (kubectl's; the store only speaks websocket watches) by long polling.
 *
 * <p>The mock server calls its dispatcher on its single Vert.x event loop and wants the whole response at once, so
 * a response can neither stream nor wait for a future change without freezing every other request. Instead each
 * watch request returns right away with the journal's events after its resourceVersion, or, when there are none,
 * a BOOKMARK at the latest resourceVersion sent after a short delay (a Vert.x timer, not a blocked thread). A
 * closed watch stream is normal to client-go: its reflector re-watches from the last resourceVersion it saw, so
 * kubectl sees each change within about one poll interval.
 */
final class HttpWatchResponder {

  static final Duration POLL_INTERVAL = Duration.ofSeconds(1);

  private final ChangeJournal journal;
  private final Function<String, AttributeSet> storeKeyOfPath;
  private final Function<String, MockResponse> storeGet;
  private final ResourceCatalog catalog;

  HttpWatchResponder(ChangeJournal journal, Function<String, AttributeSet> storeKeyOfPath,
      Function<String, MockResponse> storeGet, ResourceCatalog catalog) {
    this.journal = journal;
    this.storeKeyOfPath = storeKeyOfPath;
    this.storeGet = storeGet;
    this.catalog = catalog;
  }

  /**
   * @param request the watch request
   * @param storePath the same request reduced to what the store understands (path, labels, store field terms)
   * @param fields the request's full field selector
   */
  MockResponse respond(RequestPath request, RequestPath storePath, FieldSelector fields) {
    String rvParam = request.param("resourceVersion");
    long since = parseResourceVersion(rvParam);
    if (since < 0) {
      return eventsResponse(List.of(errorEvent(400, "BadRequest", "invalid resourceVersion: " + rvParam)));
    }
    if (since == 0) {
      // No resourceVersion: a watch starts with the current state as ADDED events.
      List<String> current = currentState(storePath, fields);
      if (!current.isEmpty()) {
        return eventsResponse(current);
      }
    } else if (journal.isTooOld(since)) {
      return eventsResponse(List.of(errorEvent(410, "Expired", "too old resource version: " + since)));
    }
    AttributeSet watched = storeKeyOfPath.apply(storePath.with("watch", null).target());
    List<String> events = journal.after(since, c -> c.key().matches(watched)).stream()
        .filter(c -> fields.matchesLocally(Responses.parse(c.object())))
        .map(c -> event(c.type(), Responses.parse(c.object())))
        .toList();
    if (!events.isEmpty()) {
      return eventsResponse(events);
    }
    return idleResponse(request, Math.max(since, journal.latest()));
  }

  private List<String> currentState(RequestPath storePath, FieldSelector fields) {
    JsonNode list = Responses.bodyJson(storeGet.apply(storePath.with("watch", null).target()));
    if (list == null || !list.has("items")) {
      return List.of();
    }
    return StreamSupport.stream(list.get("items").spliterator(), false)
        .filter(fields::matchesLocally)
        .map(item -> event("ADDED", item))
        .toList();
  }

  /** Nothing happened yet: close the stream after a poll interval, telling the client how far it is in sync. */
  private MockResponse idleResponse(RequestPath request, long resourceVersion) {
    Duration delay = POLL_INTERVAL;
    String timeout = request.param("timeoutSeconds");
    if (timeout != null && timeout.matches("\\d+") && Long.parseLong(timeout) < delay.toSeconds()) {
      delay = Duration.ofSeconds(Long.parseLong(timeout));
    }
    Optional<String> bookmark = "true".equals(request.param("allowWatchBookmarks"))
        ? bookmark(request, resourceVersion) : Optional.empty();
    // The mock server only delays non-empty bodies; a lone newline is an empty, valid event stream to client-go.
    MockResponse response = eventsResponse(bookmark.map(List::of).orElse(List.of()));
    if (!Responses.hasBody(response)) {
      response.setBody("\n");
    }
    return response.setBodyDelay(delay);
  }

  /** A BOOKMARK carries the object kind, which client-go needs to decode it; unknown types get none. */
  private Optional<String> bookmark(RequestPath request, long resourceVersion) {
    return ResourceRef.of(request)
        .flatMap(ref -> catalog.find(ref.group(), ref.version(), ref.plural()))
        .map(r -> {
          ObjectNode object = JsonNodeFactory.instance.objectNode()
              .put("kind", r.kind()).put("apiVersion", r.groupVersion());
          object.putObject("metadata").put("resourceVersion", String.valueOf(resourceVersion));
          return event("BOOKMARK", object);
        });
  }

  private static MockResponse eventsResponse(List<String> events) {
    return Responses.json(200, String.join("", events));
  }

  private static String event(String type, JsonNode object) {
    ObjectNode event = JsonNodeFactory.instance.objectNode().put("type", type);
    event.set("object", object);
    return Serialization.asJson(event) + "\n";
  }

  private static String errorEvent(int code, String reason, String message) {
    return event("ERROR", Responses.bodyJson(Responses.status(code, reason, message)));
  }

  /** 0 for "none" (absent, empty or "0"), -1 for garbage. */
  private static long parseResourceVersion(String rv) {
    if (rv == null || rv.isEmpty()) {
      return 0;
    }
    try {
      return Long.parseLong(rv);
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
