package io.dustcloud.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Steady request load on a loopback endpoint: a few threads, each sending {@code GET /} on a
 * fresh connection (HTTP/1.0, so every request is its own connection and draining an instance
 * is meaningful), counting successes, failures and which version answered. Bounded: it runs
 * only until stopped, on loopback only.
 */
public final class SteadyLoad implements AutoCloseable {
  private final String host;
  private final int port;
  private final Thread[] threads;
  private volatile boolean running = true;
  public final AtomicLong total = new AtomicLong();
  public final AtomicLong failed = new AtomicLong();
  public final Map<String, AtomicLong> answers = new ConcurrentHashMap<>();
  private volatile String lastFailure;

  public SteadyLoad(String address, int threads) {
    int colon = address.lastIndexOf(':');
    this.host = address.substring(0, colon);
    this.port = Integer.parseInt(address.substring(colon + 1));
    this.threads = new Thread[threads];
    for (int i = 0; i < threads; i++) {
      this.threads[i] = new Thread(this::loop, "steady-load-" + i);
      this.threads[i].setDaemon(true);
      this.threads[i].start();
    }
  }

  private void loop() {
    while (running) {
      total.incrementAndGet();
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(host, port), 2000);
        s.setSoTimeout(5000);
        OutputStream out = s.getOutputStream();
        out.write("GET / HTTP/1.0\r\nHost: load\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = s.getInputStream();
        String response = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        if (!response.startsWith("HTTP/1.1 200") && !response.startsWith("HTTP/1.0 200")) {
          fail("bad response: " + response.lines().findFirst().orElse("(empty)"));
          continue;
        }
        String body = response.substring(response.indexOf("\r\n\r\n") + 4).trim();
        answers.computeIfAbsent(body, b -> new AtomicLong()).incrementAndGet();
      } catch (IOException e) {
        fail(e.toString());
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

  /** Counters start again from zero (the answers too). */
  public void reset() {
    total.set(0);
    failed.set(0);
    answers.clear();
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
