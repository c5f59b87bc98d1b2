package io.dustcloud.testing;

import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;

/**
 * A loopback HTTP server standing in for instances' health endpoints. By default it answers
 * 200 on {@code /health} and 503 on any other path, so a wrong probe path fails as it would on
 * real instances.
 */
public final class LoopbackHealth implements AutoCloseable {
  private final HttpServer server;

  public LoopbackHealth() {
    this("/", ex -> {
      ex.sendResponseHeaders(ex.getRequestURI().getPath().equals("/health") ? 200 : 503, -1);
      ex.close();
    });
  }

  public LoopbackHealth(String context, HttpHandler handler) {
    try {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.createContext(context, handler);
    server.start();
  }

  /** {@code 127.0.0.1:PORT}. */
  public String address() {
    return "127.0.0.1:" + server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
