package io.dustcloud.provider.local;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A fleet's stable loopback address: a protocol-agnostic TCP proxy that spreads connections
 * round-robin over the ready instances. Blocking I/O with two pump threads per connection
 * keeps it obviously correct; a few hundred connections are a few hundred idle threads.
 */
final class FleetEndpoint implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(FleetEndpoint.class);
  private static final int CONNECT_TIMEOUT_MS = 500;
  /**
   * Read timeout, used only to notice a connection whose other direction is finished: a
   * backend that never answers a half-closed client would otherwise hold its thread forever.
   * Fully open idle connections are left alone.
   */
  private static final int WAKE_UP_MS = 30_000;

  private final String name;
  private final ServerSocket server;
  private final ExecutorService pumps;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final AtomicInteger next = new AtomicInteger();
  /** Proxied connections per backend, so a backend can be drained before it is stopped. */
  private final java.util.Map<InetSocketAddress, AtomicInteger> active = new ConcurrentHashMap<>();
  private volatile List<InetSocketAddress> backends = List.of();
  private volatile boolean closed;

  private FleetEndpoint(String name, ServerSocket server) {
    this.name = name;
    this.server = server;
    this.pumps = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "endpoint-" + name + "-pump");
      t.setDaemon(true);
      return t;
    });
    Thread acceptor = new Thread(this::acceptLoop, "endpoint-" + name + "-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** Listens on {@code 127.0.0.1:port}; fails when the port is taken. */
  static FleetEndpoint open(String name, int port) throws IOException {
    ServerSocket server = new ServerSocket();
    try {
      server.setReuseAddress(true);
      server.bind(new InetSocketAddress(PortAllocator.LOOPBACK, port), 512);
    } catch (IOException e) {
      server.close();
      throw e;
    }
    return new FleetEndpoint(name, server);
  }

  int port() {
    return server.getLocalPort();
  }

  String address() {
    return PortAllocator.LOOPBACK.getHostAddress() + ":" + port();
  }

  /** Where new connections go from now on; existing connections are not moved. */
  void setBackends(List<InetSocketAddress> ready) {
    backends = List.copyOf(ready);
  }

  List<InetSocketAddress> backends() {
    return backends;
  }

  private void acceptLoop() {
    while (!closed) {
      try {
        Socket client = server.accept();
        open.add(client);
        pumps.execute(() -> serve(client));
      } catch (IOException e) {
        if (!closed) {
          log.warn("endpoint {}: accept failed: {}", name, e.toString());
          sleepQuietly(50); // e.g. out of file descriptors: do not spin
        }
      } catch (java.util.concurrent.RejectedExecutionException e) {
        return; // closing
      }
    }
  }

  private void serve(Socket client) {
    Socket backend = connectToSomeBackend();
    if (backend == null) {
      closeQuietly(client);
      return;
    }
    Connection c = new Connection(client, backend);
    try {
      pumps.execute(() -> c.pump(backend, client));
    } catch (java.util.concurrent.RejectedExecutionException e) {
      c.abort();
      return;
    }
    c.pump(client, backend);
  }

  /** Tries each ready backend once, starting at the round-robin position. */
  private Socket connectToSomeBackend() {
    List<InetSocketAddress> ready = backends;
    int start = Math.floorMod(next.getAndIncrement(), Math.max(ready.size(), 1));
    for (int i = 0; i < ready.size(); i++) {
      InetSocketAddress target = ready.get((start + i) % ready.size());
      Socket s = new Socket();
      try {
        s.connect(target, CONNECT_TIMEOUT_MS);
        open.add(s);
        active.computeIfAbsent(target, t -> new AtomicInteger()).incrementAndGet();
        return s;
      } catch (IOException e) {
        closeQuietly(s);
        log.debug("endpoint {}: backend {} refused: {}", name, target, e.toString());
      }
    }
    return null;
  }

  /** A proxied connection; both sockets close once both directions are done. */
  private final class Connection {
    private final Socket client;
    private final Socket backend;
    private final AtomicInteger directionsLeft = new AtomicInteger(2);

    private final java.util.concurrent.atomic.AtomicBoolean counted = new java.util.concurrent.atomic.AtomicBoolean(true);

    Connection(Socket client, Socket backend) {
      this.client = client;
      this.backend = backend;
      try {
        client.setTcpNoDelay(true);
        backend.setTcpNoDelay(true);
        client.setSoTimeout(WAKE_UP_MS);
        backend.setSoTimeout(WAKE_UP_MS);
      } catch (IOException e) {
        abort();
      }
    }

    void pump(Socket from, Socket to) {
      byte[] buf = new byte[16 * 1024];
      try {
        InputStream in = from.getInputStream();
        OutputStream out = to.getOutputStream();
        while (true) {
          int n;
          try {
            n = in.read(buf);
          } catch (SocketTimeoutException idle) {
            if (directionsLeft.get() == 1) {
              break; // the other side is done and this one went quiet: give up
            }
            continue;
          }
          if (n < 0) {
            // half-close: the peer finished sending, but may still be reading
            to.shutdownOutput();
            break;
          }
          out.write(buf, 0, n);
        }
      } catch (IOException e) {
        abort();
      } finally {
        if (directionsLeft.decrementAndGet() == 0) {
          abort();
        }
      }
    }

    void abort() {
      if (counted.getAndSet(false)) {
        AtomicInteger n = active.get((InetSocketAddress) backend.getRemoteSocketAddress());
        if (n != null) {
          n.decrementAndGet();
        }
      }
      closeQuietly(client);
      closeQuietly(backend);
    }
  }

  /**
   * Waits until no proxied connection to {@code targets} is open, at most {@code max}: called
   * after the targets left the rotation and before they are stopped, so requests in flight
   * finish instead of failing. Returns whether they drained.
   */
  boolean awaitDrained(java.util.Collection<InetSocketAddress> targets, java.time.Duration max) {
    long deadline = System.nanoTime() + max.toNanos();
    while (System.nanoTime() < deadline) {
      boolean drained = targets.stream().allMatch(t -> active.getOrDefault(t, new AtomicInteger()).get() <= 0);
      if (drained) {
        targets.forEach(active::remove);
        return true;
      }
      sleepQuietly(10);
    }
    return false;
  }

  private void closeQuietly(Socket s) {
    open.remove(s);
    try {
      s.close();
    } catch (IOException ignored) {
      // nothing left to do with a socket that cannot close
    }
  }

  private static void sleepQuietly(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Stops listening and cuts every proxied connection; instances are not touched. */
  @Override
  public void close() {
    closed = true;
    try {
      server.close();
    } catch (IOException e) {
      log.debug("endpoint {}: close failed: {}", name, e.toString());
    }
    pumps.shutdownNow();
    open.forEach(this::closeQuietly);
  }
}
