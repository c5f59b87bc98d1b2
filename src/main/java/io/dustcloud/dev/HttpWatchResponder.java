package io.dustcloud.dev;

import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.http.MockResponse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * Answers plain-HTTP watches (kubectl's; the store only speaks websocket watches) with a {@link WatchStream} that
 * stays open: first the current state (no resourceVersion) or the journal's changes after the resourceVersion, then
 * each matching change as the store makes it. {@code kubectl get -w} watches once and ends with the stream, so the
 * stream must stay open until the client's timeoutSeconds, or a real API server's default when it sends none.
 */
final class HttpWatchResponder {

  /** What a real API server picks when the client names no timeout (min-request-timeout, 1800 s). */
  static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(30);

  private final ChangeJournal journal;
  private final Function<String, AttributeSet> storeKeyOfPath;
  private final Function<String, MockResponse> storeGet;

  HttpWatchResponder(ChangeJournal journal, Function<String, AttributeSet> storeKeyOfPath,
      Function<String, MockResponse> storeGet) {
    this.journal = journal;
    this.storeKeyOfPath = storeKeyOfPath;
    this.storeGet = storeGet;
  }

  /**
   * @param request the watch request
   * @param storePath the same request reduced to what the store understands (path, labels, store field terms)
   * @param fields the request's full field selector
   * @param render what each event carries for an object: the object, or e.g. a one-row Table for kubectl get -w
   */
  MockResponse respond(RequestPath request, RequestPath storePath, FieldSelector fields,
      UnaryOperator<JsonNode> render) {
    String rvParam = request.param("resourceVersion");
    long since = parseResourceVersion(rvParam);
    if (since < 0) {
      return eventsResponse(errorEvent(400, "BadRequest", "invalid resourceVersion: " + rvParam));
    }
    if (since > 0 && journal.isTooOld(since)) {
      return eventsResponse(errorEvent(410, "Expired", "too old resource version: " + since));
    }
    Duration timeout = timeout(request.param("timeoutSeconds"));
    RequestPath unwatched = storePath.with("watch", null);
    AttributeSet watched = storeKeyOfPath.apply(unwatched.target());
    return new WatchStream(sink -> open(sink, since, unwatched, watched, fields, render), timeout);
  }

  // Runs on the server's event loop, as every store write does, so no change can fall between list and subscribe.
  private Runnable open(Consumer<String> sink, long since, RequestPath unwatched, AttributeSet watched,
      FieldSelector fields, UnaryOperator<JsonNode> render) {
    long from = since;
    if (since == 0) {
      // No resourceVersion: a watch starts with the current state as ADDED events.
      from = journal.latest();
      JsonNode list = Responses.bodyJson(storeGet.apply(unwatched.target()));
      if (list != null && list.has("items")) {
        for (JsonNode item : list.get("items")) {
          if (fields.matchesLocally(item)) {
            sink.accept(event("ADDED", render.apply(item)));
          }
        }
      }
    }
    return journal.subscribe(from, c -> c.key().matches(watched), c -> {
      JsonNode object = Responses.parse(c.object());
      if (fields.matchesLocally(object)) {
        sink.accept(event(c.type(), render.apply(object)));
      }
    });
  }

  private static Duration timeout(String timeoutSeconds) {
    if (timeoutSeconds == null || timeoutSeconds.isEmpty()) {
      return DEFAULT_TIMEOUT;
    }
    if (!timeoutSeconds.matches("\\d{1,9}")) {
      throw new IllegalArgumentException("timeoutSeconds must be a whole number of seconds, not \"" + timeoutSeconds
          + "\"");
    }
    long seconds = Long.parseLong(timeoutSeconds);
    // As on a real API server, 0 means "no timeout of your own".
    return seconds == 0 ? DEFAULT_TIMEOUT : Duration.ofSeconds(seconds);
  }

  private static MockResponse eventsResponse(String events) {
    return Responses.json(200, events);
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
