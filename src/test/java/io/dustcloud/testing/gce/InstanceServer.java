package io.dustcloud.testing.gce;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The guest of one incarnation of a fake instance: a small HTTP/1.1 server on the instance's
 * loopback {@code networkIP} and serving port. Written on plain sockets, not the JDK's
 * HttpServer, because the tests need what that one hides: a HUNG mode that reads a request
 * and never answers, and a bounded connection age.
 *
 * <p>Connection age: a keep-alive connection older than {@code maxConnectionAgeMillis} gets
 * {@code Connection: close} on its next answer and is closed, like nginx's
 * {@code keepalive_time} or Envoy's {@code max_connection_duration}. That is what makes
 * draining graceful for keep-alive clients: a client holding one connection for ever would
 * otherwise stay on a draining instance until the drain ends and have its connection cut;
 * with a bounded age it reconnects in time and the load balancer sends it elsewhere.
 */
final class InstanceServer implements AutoCloseable {
  /** What the fake learns from each request. */
  interface Listener {
    /** A request arrived (before it is answered) from {@code remoteIp}. */
    void request(InstanceServer server, String path, InstanceModes.Mode mode, String remoteIp);
  }

  final long id;
  final String name;
  final String template;
  final String ip;
  final int port;
  private final InstanceModes modes;
  private final Listener listener;
  private final LongSupplier maxAgeMillis;
  private final ExecutorService pool;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final AtomicLong requests = new AtomicLong();
  private final long bornNanos = System.nanoTime();
  private volatile ServerSocket socket;
  private volatile boolean closed;

  InstanceServer(long id, String name, String template, String ip, int port, InstanceModes modes, Listener listener,
      LongSupplier maxAgeMillis, ExecutorService pool) {
    this.id = id;
    this.name = name;
    this.template = template;
    this.ip = ip;
    this.port = port;
    this.modes = modes;
    this.listener = listener;
    this.maxAgeMillis = maxAgeMillis;
    this.pool = pool;
  }

  /** Binds and starts accepting; throws when the address is taken. */
  void start() throws IOException {
    ServerSocket s = new ServerSocket();
    s.setReuseAddress(true);
    s.bind(new InetSocketAddress(ip, port), 128);
    socket = s;
    pool.execute(this::accept);
  }

  private void accept() {
    while (!closed) {
      try {
        Socket c = socket.accept();
        c.setTcpNoDelay(true);
        open.add(c);
        if (closed) {
          c.close();
          return;
        }
        pool.execute(() -> serve(c));
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  private void serve(Socket c) {
    long born = System.nanoTime();
    String remote = c.getInetAddress().getHostAddress();
    try (c; InputStream in = new BufferedInputStream(c.getInputStream()); OutputStream out = c.getOutputStream()) {
      while (!closed) {
        String requestLine = line(in);
        if (requestLine == null) {
          return;
        }
        boolean close = false;
        long length = 0;
        String header;
        while ((header = line(in)) != null && !header.isEmpty()) {
          String h = header.toLowerCase(Locale.ROOT);
          if (h.startsWith("content-length:")) {
            length = Long.parseLong(h.substring(15).trim());
          } else if (h.startsWith("connection:") && h.contains("close")) {
            close = true;
          }
        }
        if (header == null) {
          return;
        }
        in.skipNBytes(length);
        String[] parts = requestLine.split(" ");
        String path = parts.length > 1 ? parts[1] : "/";
        close |= parts.length > 2 && parts[2].equals("HTTP/1.0");
        InstanceModes.Mode mode = modes.modeOf(name, template);
        requests.incrementAndGet();
        listener.request(this, path, mode, remote);
        if (mode == InstanceModes.Mode.HUNG) {
          while (!closed && in.read() >= 0) {
            // a wedged guest: reads on, answers nothing, until the peer or the fake gives up
          }
          return;
        }
        close |= (System.nanoTime() - born) / 1_000_000 >= maxAgeMillis.getAsLong();
        answer(out, path, mode, close);
        if (close) {
          return;
        }
      }
    } catch (IOException | RuntimeException e) {
      // the peer went away, or the fake stopped this server: nothing to answer
    } finally {
      open.remove(c);
    }
  }

  private void answer(OutputStream out, String path, InstanceModes.Mode mode, boolean close) throws IOException {
    boolean ok = mode == InstanceModes.Mode.HEALTHY;
    int status;
    String body;
    String type = "text/plain; charset=utf-8";
    String bare = path.contains("?") ? path.substring(0, path.indexOf('?')) : path;
    switch (bare) {
      case "/health" -> {
        status = ok ? 200 : 503;
        body = ok ? "ok\n" : "failing\n";
      }
      case "/metrics" -> {
        status = 200;
        type = "text/plain; version=0.0.4";
        double cpu = (System.nanoTime() - bornNanos) / 1e9 * 0.01 + requests.get() * 0.0001;
        body = "# TYPE process_cpu_seconds_total counter\nprocess_cpu_seconds_total " + cpu
            + "\n# TYPE http_requests_total counter\nhttp_requests_total " + requests.get() + "\n";
      }
      case "/" -> {
        status = ok ? 200 : 500;
        body = ok ? "hello from " + name + " (" + template + ")\n" : "internal error\n";
      }
      default -> {
        status = 404;
        body = "not found\n";
      }
    }
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    String head = "HTTP/1.1 " + status + " " + reason(status) + "\r\nContent-Type: " + type + "\r\nContent-Length: "
        + bytes.length + "\r\n" + (close ? "Connection: close\r\n" : "Connection: keep-alive\r\n") + "\r\n";
    out.write(head.getBytes(StandardCharsets.US_ASCII));
    out.write(bytes);
    out.flush();
  }

  private static String reason(int status) {
    return switch (status) {
      case 200 -> "OK";
      case 404 -> "Not Found";
      case 500 -> "Internal Server Error";
      default -> "Service Unavailable";
    };
  }

  /** One CRLF-terminated line, or null at the end of the stream. */
  static String line(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream(64);
    int c;
    while ((c = in.read()) >= 0) {
      if (c == '\n') {
        int n = b.size();
        byte[] bytes = b.toByteArray();
        return new String(bytes, 0, n > 0 && bytes[n - 1] == '\r' ? n - 1 : n, StandardCharsets.ISO_8859_1);
      }
      b.write(c);
      if (b.size() > 16_384) {
        throw new IOException("line too long");
      }
    }
    return b.size() == 0 ? null : b.toString(StandardCharsets.ISO_8859_1);
  }

  @Override
  public void close() {
    closed = true;
    try {
      if (socket != null) {
        socket.close();
      }
    } catch (IOException ignored) {
      // closing
    }
    for (Socket c : open) {
      try {
        c.close();
      } catch (IOException ignored) {
        // closing
      }
    }
  }
}
