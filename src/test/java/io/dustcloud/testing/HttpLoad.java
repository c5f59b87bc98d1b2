package io.dustcloud.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Request load on a loopback endpoint as browsers and HTTP client libraries make it: each thread
 * keeps ONE persistent HTTP/1.1 connection and sends {@code GET path} on it back to back,
 * reconnecting only when the server closes it ({@code Connection: close}, or the connection
 * found closed). A request fails on any I/O error or a status other than 200; like HTTP
 * clients, a request whose REUSED connection turns out closed before any byte of the answer is
 * sent once more on a new connection (GET is idempotent) — counted in {@link #retries}.
 * With {@code keepAlive} false every request is an HTTP/1.0 request on its own connection.
 * Bounded: it runs only until closed, on loopback only. It also records when each answer was
 * first seen, and counts timeouts apart.
 */
public final class HttpLoad implements AutoCloseable {
  private final String host;
  private final int port;
  private final String path;
  private final boolean keepAlive;
  private final Thread[] threads;
  private volatile boolean running = true;
  public final AtomicLong total = new AtomicLong();
  public final AtomicLong failed = new AtomicLong();
  public final AtomicLong retries = new AtomicLong();
  public final AtomicLong connections = new AtomicLong();
  /** Failed requests that were a read timeout: no answer within 5 s (a stall, not a cut connection). */
  public final AtomicLong timedOut = new AtomicLong();
  /** Body of each 200 answer → how many; and when each body was first seen (System.nanoTime). */
  public final Map<String, AtomicLong> answers = new ConcurrentHashMap<>();
  public final Map<String, Long> firstSeen = new ConcurrentHashMap<>();
  private volatile String lastFailure;

  public HttpLoad(String address, int threads, String path, boolean keepAlive) {
    int colon = address.lastIndexOf(':');
    this.host = address.substring(0, colon);
    this.port = Integer.parseInt(address.substring(colon + 1));
    this.path = path;
    this.keepAlive = keepAlive;
    this.threads = new Thread[threads];
    for (int i = 0; i < threads; i++) {
      this.threads[i] = new Thread(this::loop, "http-load-" + i);
      this.threads[i].setDaemon(true);
      this.threads[i].start();
    }
  }

  /** Why a request got no answer at all on a reused connection: the one case worth a retry. */
  private static final class ClosedBeforeAnswer extends IOException {
    ClosedBeforeAnswer(String why) {
      super(why);
    }
  }

  private record Answer(int status, String body, boolean close) {}

  /** A connection and its read buffer, which outlives one answer (the next may already be in it). */
  private record Conn(Socket socket, InputStream in) {}

  private void loop() {
    Conn conn = null;
    while (running) {
      total.incrementAndGet();
      boolean reused = conn != null;
      try {
        if (conn == null) {
          conn = connect();
        }
        Answer a;
        try {
          a = exchange(conn);
        } catch (ClosedBeforeAnswer e) {
          close(conn);
          conn = null;
          if (!reused) {
            throw e;
          }
          retries.incrementAndGet();
          conn = connect();
          a = exchange(conn);
        }
        if (a.close() || !keepAlive) {
          close(conn);
          conn = null;
        }
        if (a.status() != 200) {
          fail("HTTP " + a.status());
          continue;
        }
        answers.computeIfAbsent(a.body(), b -> new AtomicLong()).incrementAndGet();
        firstSeen.putIfAbsent(a.body(), System.nanoTime());
      } catch (IOException e) {
        close(conn);
        conn = null;
        if (e instanceof java.net.SocketTimeoutException) {
          timedOut.incrementAndGet();
        }
        fail(e.toString());
      }
    }
    close(conn);
  }

  private Conn connect() throws IOException {
    Socket s = new Socket();
    try {
      s.connect(new InetSocketAddress(host, port), 2000);
      s.setSoTimeout(5000);
      s.setTcpNoDelay(true);
    } catch (IOException e) {
      s.close();
      throw e;
    }
    connections.incrementAndGet();
    return new Conn(s, new BufferedInputStream(s.getInputStream()));
  }

  private Answer exchange(Conn c) throws IOException {
    Socket s = c.socket();
    String request = keepAlive
        ? "GET " + path + " HTTP/1.1\r\nHost: load\r\n\r\n"
        : "GET " + path + " HTTP/1.0\r\nHost: load\r\n\r\n";
    try {
      s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().flush();
    } catch (IOException e) {
      throw new ClosedBeforeAnswer("write failed: " + e);
    }
    InputStream in = c.in();
    String statusLine = line(in, true);
    if (!statusLine.startsWith("HTTP/1.")) {
      throw new IOException("bad status line: " + statusLine);
    }
    int status = Integer.parseInt(statusLine.substring(9, 12));
    int length = -1;
    boolean close = statusLine.startsWith("HTTP/1.0");
    for (String h = line(in, false); !h.isEmpty(); h = line(in, false)) {
      int colon = h.indexOf(':');
      String name = colon < 0 ? h : h.substring(0, colon).trim();
      String value = colon < 0 ? "" : h.substring(colon + 1).trim();
      if (name.equalsIgnoreCase("Content-Length")) {
        length = Integer.parseInt(value);
      } else if (name.equalsIgnoreCase("Connection")) {
        close = value.equalsIgnoreCase("close") || (close && !value.equalsIgnoreCase("keep-alive"));
      }
    }
    byte[] body = length >= 0 ? in.readNBytes(length) : in.readAllBytes();
    if (length >= 0 && body.length < length) {
      throw new IOException("body cut after " + body.length + " of " + length + " bytes");
    }
    return new Answer(status, new String(body, StandardCharsets.UTF_8).trim(), close || length < 0);
  }

  /** One CRLF-terminated line; {@code first}: EOF or a reset before any byte is a closed connection. */
  private static String line(InputStream in, boolean first) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    while (true) {
      int c;
      try {
        c = in.read();
      } catch (java.net.SocketException e) {
        if (first && b.size() == 0) {
          throw new ClosedBeforeAnswer(e.toString());
        }
        throw e;
      }
      if (c < 0) {
        if (first && b.size() == 0) {
          throw new ClosedBeforeAnswer("closed before the answer");
        }
        throw new IOException("closed in the middle of the answer");
      }
      if (c == '\n') {
        String s = b.toString(StandardCharsets.ISO_8859_1);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
      }
      b.write(c);
    }
  }

  private static void close(Conn c) {
    if (c != null) {
      try {
        c.socket().close();
      } catch (IOException ignored) {
        // closing is best effort: the next request opens a new connection anyway
      }
    }
  }

  private void fail(String why) {
    failed.incrementAndGet();
    lastFailure = why;
  }

  public String lastFailure() {
    return lastFailure;
  }

  @Override
  public void close() {
    running = false;
    for (Thread t : threads) {
      try {
        t.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
