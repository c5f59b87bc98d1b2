package io.dustcloud.testing;

import io.dustcloud.testing.gce.KeepAliveClient;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Steady load from keep-alive clients: a few threads, each holding one HTTP/1.1 connection to
 * the endpoint for as long as the server keeps it (a browser's or a pooled client's way), each
 * request retried once only when a reused connection turns out closed before any answer (what
 * HTTP clients do for idempotent requests). Counts answers by body, failures, and retries.
 */
public final class KeepAliveLoad implements AutoCloseable {
  private final Thread[] threads;
  private volatile boolean running = true;
  public final AtomicLong total = new AtomicLong();
  public final AtomicLong failed = new AtomicLong();
  public final AtomicLong retries = new AtomicLong();
  public final AtomicLong connections = new AtomicLong();
  public final Map<String, AtomicLong> answers = new ConcurrentHashMap<>();
  private volatile String lastFailure;

  public KeepAliveLoad(String endpoint, int clients) {
    threads = new Thread[clients];
    for (int i = 0; i < clients; i++) {
      threads[i] = new Thread(() -> loop(endpoint), "keep-alive-load-" + i);
      threads[i].setDaemon(true);
      threads[i].start();
    }
  }

  private void loop(String endpoint) {
    KeepAliveClient c = KeepAliveClient.of(endpoint);
    try {
      while (running) {
        total.incrementAndGet();
        try {
          KeepAliveClient.Response r = c.get("/");
          if (r.status() == 200) {
            answers.computeIfAbsent(r.body().trim(), k -> new AtomicLong()).incrementAndGet();
          } else {
            failed.incrementAndGet();
            lastFailure = "status " + r.status();
          }
        } catch (java.io.IOException e) {
          failed.incrementAndGet();
          lastFailure = e.toString();
        }
      }
    } finally {
      retries.addAndGet(c.retries());
      connections.addAndGet(c.connections());
      c.close();
    }
  }

  public String lastFailure() {
    return lastFailure;
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    for (Thread t : threads) {
      t.join(10_000);
    }
  }
}
