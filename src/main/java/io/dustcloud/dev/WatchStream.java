package io.dustcloud.dev;

import io.fabric8.mockwebserver.http.MockResponse;

import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A plain-HTTP watch that stays open, as on a real API server: {@link DevHttpServer} writes its events (one JSON
 * object per line) as they happen, until the client goes away, the server stops or the timeout passes. It leaves
 * the dispatcher as a {@link MockResponse} like every other answer; the mock server itself could only send a whole
 * body at once, which is why watches used to end after a poll interval and {@code kubectl get -w} with them.
 */
final class WatchStream extends MockResponse {

  private final Function<Consumer<String>, Runnable> opener;
  private final Duration timeout;

  /**
   * @param opener given the sink for event lines, sends the events due now, subscribes to later ones and returns
   *     the action that unsubscribes
   * @param timeout how long the stream stays open (the request's timeoutSeconds, or a default)
   */
  WatchStream(Function<Consumer<String>, Runnable> opener, Duration timeout) {
    this.opener = opener;
    this.timeout = timeout;
    setResponseCode(200);
    setHeader(Responses.CONTENT_TYPE, Responses.JSON);
  }

  /** Starts sending events to the sink; run the returned action when the stream closes. */
  Runnable open(Consumer<String> sink) {
    return opener.apply(sink);
  }

  Duration timeout() {
    return timeout;
  }
}
