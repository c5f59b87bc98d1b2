package io.dustcloud.dev;

import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.vertx.HttpServerRequestHandler;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The dev API server's listener: HTTP/1.1 over TLS on one address, every request handed to the {@link Dispatcher} on
 * one Vert.x event loop. It replaces fabric8's MockWebServer listener for one reason: that one writes each answer
 * whole, so a watch could not stay open; here a {@link WatchStream} is written event by event. Everything else,
 * websocket upgrades included, goes through the mock server's own request handler, so it behaves as before (less
 * the mock's log of every request, which grew without bound over a long dev session).
 */
final class DevHttpServer implements AutoCloseable {

  /** What the mock server offers; fabric8's exec and attach clients ask for one of these. */
  private static final List<String> WEBSOCKET_SUB_PROTOCOLS =
      List.of("v1.channel.k8s.io", "v2.channel.k8s.io", "v3.channel.k8s.io", "v4.channel.k8s.io");
  private static final long START_STOP_TIMEOUT_SECONDS = 30;

  private final Vertx vertx;
  private final HttpServer server;
  private final Dispatcher dispatcher;

  private DevHttpServer(Vertx vertx, HttpServer server, Dispatcher dispatcher) {
    this.vertx = vertx;
    this.server = server;
    this.dispatcher = dispatcher;
  }

  /**
   * @param token what every request must carry in {@code Authorization: Bearer}; checked here, before
   *     anything else looks at the request, so no path, verb or websocket upgrade gets past it
   * @param tls the certificate it serves (kubectl sends no token to a server without TLS)
   * @param port 0 for any free port
   */
  static DevHttpServer listen(Dispatcher dispatcher, BearerToken token, DevTls tls, String host, int port) {
    Vertx vertx = Vertx.vertx();
    HttpServer server = vertx.createHttpServer(new HttpServerOptions().setHost(host).setPort(port).setSsl(true)
        .setKeyCertOptions(new io.vertx.core.net.PfxOptions()
            .setValue(io.vertx.core.buffer.Buffer.buffer(tls.pkcs12())).setPassword(tls.password()))
        .setWebSocketSubProtocols(WEBSOCKET_SUB_PROTOCOLS).setHandle100ContinueAutomatically(true));
    DevHttpServer dev = new DevHttpServer(vertx, server, dispatcher);
    HttpServerRequestHandler wholeAnswers = new HttpServerRequestHandler(vertx) {
      @Override
      protected MockResponse onHttpRequest(RecordedRequest request) {
        return dispatcher.dispatch(request);
      }
    };
    server.requestHandler(request -> {
      if (!token.admits(request.getHeader("Authorization"))) {
        unauthorized(request);
      } else if (isPlainWatch(request)) {
        dev.watch(request);
      } else {
        wholeAnswers.handle(request);
      }
    });
    try {
      await(server.listen());
    } catch (RuntimeException e) {
      vertx.close();
      throw new IllegalStateException("the dev API server cannot listen on " + host + ":" + port + ": "
          + e.getMessage(), e);
    }
    return dev;
  }

  /** As kube-apiserver answers a request without valid credentials, whatever it asked for. */
  private static void unauthorized(HttpServerRequest request) {
    request.response().setStatusCode(401).putHeader("Content-Type", "application/json")
        .putHeader("Cache-Control", "no-cache, private").end(BearerToken.UNAUTHORIZED_JSON);
  }

  int port() {
    return server.actualPort();
  }

  /** Stops listening and drops every connection, open watches included. */
  @Override
  public void close() {
    try {
      await(server.close());
    } finally {
      await(vertx.close());
    }
  }

  /** A GET with watch=true that is no websocket upgrade (those go to the store, which streams them itself). */
  private static boolean isPlainWatch(HttpServerRequest request) {
    if (request.method() != io.vertx.core.http.HttpMethod.GET) {
      return false;
    }
    String upgrade = request.getHeader("Upgrade");
    return (upgrade == null || !upgrade.equalsIgnoreCase("websocket"))
        && RequestPath.parse(request.uri()).isWatch();
  }

  private void watch(HttpServerRequest request) {
    RecordedRequest recorded = new RecordedRequest(request.version().alpnName().toUpperCase(Locale.ROOT),
        HttpMethod.GET, request.uri(), Headers.builder().addAll(request.headers()).build(), new Buffer());
    MockResponse answer = dispatcher.dispatch(recorded);
    HttpServerResponse response = request.response().setStatusCode(answer.code());
    answer.getHeaders().toMultimap().forEach((name, values) -> response.headers().add(name, values));
    if (!(answer instanceof WatchStream stream)) {
      response.end(io.vertx.core.buffer.Buffer.buffer(answer.getBody() == null ? new byte[0]
          : answer.getBody().getBytes()));
      return;
    }
    response.setChunked(true);
    // Headers now: clients wait for them before they read events, and an idle watch may send none for minutes.
    response.writeHead();
    Runnable unsubscribe = stream.open(line -> {
      if (!response.ended() && !response.closed()) {
        response.write(line);
      }
    });
    long timer = vertx.setTimer(stream.timeout().toMillis(), t -> {
      unsubscribe.run();
      if (!response.ended() && !response.closed()) {
        response.end();
      }
    });
    response.closeHandler(v -> {
      vertx.cancelTimer(timer);
      unsubscribe.run();
    });
  }

  private static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(START_STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException("Vert.x did not answer in " + START_STOP_TIMEOUT_SECONDS + " s", e);
    }
  }
}
