package io.dustcloud.testing.gce;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;

/**
 * One forwarding rule's data plane: a TCP proxy listening on the rule's loopback address and
 * ports. Like GCE's passthrough load balancer it balances connections, not requests, and keeps
 * the destination port. Outgoing connections are bound to the rule's address, so an instance
 * server knows a connection came through the load balancer (and the health checker's probes,
 * from 127.0.0.1, are told apart).
 */
final class FakeLoadBalancer implements AutoCloseable {
  /** Chooses the backend for a new connection; null closes it at once. */
  interface Picker {
    FakeTraffic.Vm pick(String rule);
  }

  final String rule;
  final String ip;
  private final Picker picker;
  private final ExecutorService pool;
  private final Map<Integer, ServerSocket> listeners = new ConcurrentHashMap<>();
  /** Open proxied connections by backend incarnation id: closed when the backend's drain ends. */
  private final Map<Long, Set<Socket>> byBackend = new ConcurrentHashMap<>();
  private volatile boolean closed;

  FakeLoadBalancer(String rule, String ip, Picker picker, ExecutorService pool) {
    this.rule = rule;
    this.ip = ip;
    this.picker = picker;
    this.pool = pool;
  }

  /** Listens on {@code port} too (no-op when it already does); false when the address is taken. */
  boolean listen(int port) {
    if (closed || listeners.containsKey(port)) {
      return true;
    }
    try {
      ServerSocket s = new ServerSocket();
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress(ip, port), 128);
      listeners.put(port, s);
      pool.execute(() -> accept(s, port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private void accept(ServerSocket s, int port) {
    while (!closed) {
      Socket client;
      try {
        client = s.accept();
      } catch (IOException e) {
        return;
      }
      pool.execute(() -> connect(client, port));
    }
  }

  private void connect(Socket client, int port) {
    FakeTraffic.Vm vm = picker.pick(rule);
    if (vm == null) {
      close(client);
      return;
    }
    Socket backend = new Socket();
    try {
      client.setTcpNoDelay(true);
      backend.setTcpNoDelay(true);
      backend.bind(new InetSocketAddress(ip, 0));
      backend.connect(new InetSocketAddress(vm.ip(), port), 2000);
    } catch (IOException e) {
      // nothing listens there (still booting, or stopped): the client sees its connection reset
      close(backend);
      close(client);
      return;
    }
    Set<Socket> open = byBackend.computeIfAbsent(vm.id(), k -> ConcurrentHashMap.newKeySet());
    open.add(client);
    open.add(backend);
    pool.execute(() -> pump(client, backend, vm.id()));
    pump(backend, client, vm.id());
  }

  private void pump(Socket from, Socket to, long id) {
    byte[] buffer = new byte[8192];
    try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
      int n;
      while ((n = in.read(buffer)) >= 0) {
        out.write(buffer, 0, n);
        out.flush();
      }
    } catch (IOException e) {
      // one side went away: the pair is over
    } finally {
      close(from);
      close(to);
      Set<Socket> open = byBackend.get(id);
      if (open != null) {
        open.remove(from);
        open.remove(to);
      }
    }
  }

  /** Closes the connections to backends that are no longer in the pool (their drain ended). */
  void retain(Set<Long> backends) {
    for (Map.Entry<Long, Set<Socket>> e : byBackend.entrySet()) {
      if (!backends.contains(e.getKey())) {
        e.getValue().forEach(FakeLoadBalancer::close);
        byBackend.remove(e.getKey());
      }
    }
  }

  static void close(Socket s) {
    try {
      s.close();
    } catch (IOException ignored) {
      // already closed
    }
  }

  @Override
  public void close() {
    closed = true;
    for (ServerSocket s : listeners.values()) {
      try {
        s.close();
      } catch (IOException ignored) {
        // closing
      }
    }
    byBackend.values().forEach(set -> set.forEach(FakeLoadBalancer::close));
    byBackend.clear();
  }
}
