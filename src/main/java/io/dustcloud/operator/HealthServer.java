package io.dustcloud.operator;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;

/**
 * Serves {@code /healthz}, {@code /readyz} and {@code /metrics} (Prometheus text format). Bound
 * by {@link #bind} before anything else of the operator starts, so a port that is taken ends
 * the start before threads and instances exist; serves from {@link #serve}.
 */
public final class HealthServer implements AutoCloseable {
  static final String PURPOSE = "health and metrics";
  private final HttpServer server;
  private ExecutorService executor;
  private volatile boolean closed;

  private HealthServer(HttpServer server) {
    this.server = server;
  }

  /**
   * Binds {@code address:port} (0 picks a free port) without serving yet.
   *
   * @throws PortUnavailableException when the port cannot be bound
   */
  public static HealthServer bind(InetAddress address, int port) {
    InetSocketAddress at = new InetSocketAddress(address, port);
    try {
      return new HealthServer(HttpServer.create(at, 0));
    } catch (IOException e) {
      throw new PortUnavailableException(PURPOSE, at, e);
    }
  }

  /** Starts answering, with the operator's liveness, readiness and meters. */
  public synchronized HealthServer serve(BooleanSupplier live, BooleanSupplier ready, PrometheusMeterRegistry registry) {
    server.createContext("/healthz", ex -> answer(ex, live.getAsBoolean()));
    server.createContext("/readyz", ex -> answer(ex, ready.getAsBoolean()));
    server.createContext(
        "/metrics",
        ex -> respond(ex, 200, "text/plain; version=0.0.4; charset=utf-8", registry.scrape()));
    executor = Executors.newFixedThreadPool(2, r -> {
      Thread t = new Thread(r, "dustcloud-health-http");
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(executor);
    server.start();
    return this;
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /** The address and port listened on (dev mode: loopback only). */
  public InetSocketAddress address() {
    return server.getAddress();
  }

  private static void answer(HttpExchange ex, boolean ok) throws IOException {
    respond(ex, ok ? 200 : 503, "text/plain; charset=utf-8", ok ? "ok\n" : "not ok\n");
  }

  private static void respond(HttpExchange ex, int code, String type, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", type);
    ex.sendResponseHeaders(code, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  /** Idempotent; also releases a port that was bound but never served. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (executor == null) {
      // the JDK's server releases its socket from its dispatcher thread, which only start()
      // creates: without it a bound but never served port would stay taken until the JVM exits
      server.start();
    }
    server.stop(0);
    if (executor != null) {
      executor.shutdownNow();
    }
  }
}
