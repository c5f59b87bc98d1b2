package io.dustcloud.testing.gce;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The fake's data plane: instance servers, the health checker and the load balancers, driven
 * by one ticker thread that reads a {@link Snapshot} of the control plane (taken under the
 * fake's lock, and also published by every mutating call, so a backend that starts draining
 * gets no new connection from the moment the call returns). All threads are daemons of one
 * cached pool; {@link #close} stops everything.
 */
final class FakeTraffic implements AutoCloseable {
  /** One incarnation of an instance as the data plane sees it. */
  record Vm(long id, String name, String template, String ip, int port, String url, String groupKey,
      long runningSince, boolean leaving, List<String> tags, String network) {}

  /** A health check with its timing already scaled. */
  record Check(String key, boolean http, int port, String path, long intervalMillis, long timeoutMillis, int healthy,
      int unhealthy) {}

  /** A backend service: its check and the instances of its backend groups (draining ones flagged). */
  record Pool(String key, Check check, List<Vm> backends) {}

  /** A forwarding rule: where it listens and which pool it feeds. */
  record Rule(String key, String ip, List<Integer> ports, String pool) {}

  record Snapshot(Map<Long, Vm> vms, Map<String, Pool> pools, Map<String, Rule> rules, List<Target> probes) {
    static final Snapshot EMPTY = new Snapshot(Map.of(), Map.of(), Map.of(), List.of());
  }

  /** One thing the health checker probes: a check against one incarnation. */
  record Target(Check check, Vm vm, boolean admitted) {}

  private static final class Probe {
    volatile boolean healthy;
    volatile int oks;
    volatile int fails;
    volatile boolean inFlight;
    volatile long nextNanos;
  }

  private final FakeCompute fake;
  private static final AtomicInteger FAKES = new AtomicInteger();
  /** Names this fake's threads ({@code fake-compute-N-…}), so a test can see that closing stops them all. */
  final String threadPrefix = "fake-compute-" + FAKES.incrementAndGet() + "-";
  private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, threadPrefix + "traffic");
    t.setDaemon(true);
    return t;
  });
  private final Thread ticker;
  private final Map<Long, InstanceServer> servers = new ConcurrentHashMap<>();
  private final Map<Long, Long> bindFailedAt = new ConcurrentHashMap<>();
  private final Map<String, FakeLoadBalancer> lbs = new ConcurrentHashMap<>();
  private final Map<String, Probe> probes = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> roundRobin = new ConcurrentHashMap<>();
  private final Set<String> lbIps = ConcurrentHashMap.newKeySet();
  private volatile Snapshot snapshot = Snapshot.EMPTY;
  private volatile boolean closed;
  /** Probes finished, for tests that must wait for the checker to have had its say. */
  final AtomicLong probed = new AtomicLong();
  final AtomicLong connections = new AtomicLong();
  final AtomicLong connectionsToUnhealthy = new AtomicLong();
  final AtomicLong connectionsWithoutBackend = new AtomicLong();
  final AtomicLong requestsToUnhealthy = new AtomicLong();
  final Map<String, AtomicLong> requestsByBackend = new ConcurrentHashMap<>();

  FakeTraffic(FakeCompute fake) {
    this.fake = fake;
    ticker = new Thread(this::run, threadPrefix + "ticker");
    ticker.setDaemon(true);
  }

  void start() {
    ticker.start();
  }

  void publish(Snapshot s) {
    snapshot = s;
    for (Rule rule : s.rules().values()) {
      lbIps.add(rule.ip());
    }
  }

  /** What the health checker holds now (UNHEALTHY until healthyThreshold probes passed). */
  boolean healthy(String check, long id) {
    Probe p = probes.get(check + "|" + id);
    return p != null && p.healthy;
  }

  /** Unhealthy by verdict: the check failed unhealthyThreshold times in a row (what autohealing acts on). */
  boolean failed(Check check, long id) {
    Probe p = probes.get(check.key() + "|" + id);
    return p != null && !p.healthy && p.fails >= check.unhealthy();
  }

  private void run() {
    while (!closed) {
      try {
        fake.tick();
        Snapshot s = snapshot;
        reconcileServers(s);
        reconcileBalancers(s);
        scheduleProbes(s);
      } catch (RuntimeException e) {
        System.err.println("fake-compute ticker: " + e);
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private void reconcileServers(Snapshot s) {
    long now = fake.now();
    Set<Long> wanted = new HashSet<>();
    if (fake.serveInstances) {
      for (Vm vm : s.vms().values()) {
        if (vm.runningSince() >= 0 && now >= vm.runningSince() + fake.bootMillis) {
          wanted.add(vm.id());
        }
      }
    }
    for (Map.Entry<Long, InstanceServer> e : servers.entrySet()) {
      if (!wanted.contains(e.getKey())) {
        e.getValue().close();
        servers.remove(e.getKey());
      }
    }
    long nanos = System.nanoTime();
    for (Long id : wanted) {
      if (servers.containsKey(id) || nanos - bindFailedAt.getOrDefault(id, nanos - 1_000_000_000L) < 1_000_000_000L) {
        continue;
      }
      Vm vm = s.vms().get(id);
      InstanceServer server = new InstanceServer(vm.id(), vm.name(), vm.template(), vm.ip(), vm.port(),
          fake.instanceModes(), this::request, () -> fake.maxConnectionAgeMillis, pool);
      try {
        server.start();
        servers.put(id, server);
        bindFailedAt.remove(id);
      } catch (IOException e) {
        bindFailedAt.put(id, nanos);
        System.err.println("fake-compute: instance " + vm.name() + " cannot listen on " + vm.ip() + ":" + vm.port()
            + ": " + e.getMessage());
      }
    }
    bindFailedAt.keySet().retainAll(wanted);
  }

  private void request(InstanceServer server, String path, InstanceModes.Mode mode, String remote) {
    if (!lbIps.contains(remote)) {
      return; // a probe, a scrape or a test talking to the instance directly
    }
    requestsByBackend.computeIfAbsent(server.name, k -> new AtomicLong()).incrementAndGet();
    String bare = path.contains("?") ? path.substring(0, path.indexOf('?')) : path;
    boolean checkPath = bare.equals("/metrics");
    for (Pool p : snapshot.pools().values()) {
      checkPath |= p.check().http() && p.check().path().equals(bare);
    }
    if (mode != InstanceModes.Mode.HEALTHY && !checkPath) {
      requestsToUnhealthy.incrementAndGet();
    }
  }

  private void reconcileBalancers(Snapshot s) {
    for (Map.Entry<String, FakeLoadBalancer> e : lbs.entrySet()) {
      Rule rule = s.rules().get(e.getKey());
      if (rule == null || !rule.ip().equals(e.getValue().ip)) {
        e.getValue().close();
        lbs.remove(e.getKey());
      }
    }
    for (Rule rule : s.rules().values()) {
      FakeLoadBalancer lb = lbs.computeIfAbsent(rule.key(), k -> new FakeLoadBalancer(k, rule.ip(), this::pick, pool));
      Pool p = s.pools().get(rule.pool());
      List<Integer> ports = new ArrayList<>(rule.ports());
      if (ports.isEmpty() && p != null) {
        p.backends().forEach(vm -> ports.add(vm.port())); // allPorts: whatever the backends serve
      }
      for (int port : ports) {
        if (!lb.listen(port)) {
          System.err.println("fake-compute: forwarding rule " + rule.key() + " cannot listen on " + rule.ip() + ":"
              + port);
        }
      }
      Set<Long> present = new HashSet<>();
      if (p != null) {
        p.backends().forEach(vm -> present.add(vm.id()));
      }
      lb.retain(present);
    }
  }

  /** Round robin over healthy, non-draining backends; any non-draining one when none is healthy. */
  private Vm pick(String ruleKey) {
    connections.incrementAndGet();
    Snapshot s = snapshot;
    Rule rule = s.rules().get(ruleKey);
    Pool p = rule == null ? null : s.pools().get(rule.pool());
    List<Vm> serving = new ArrayList<>();
    List<Vm> healthy = new ArrayList<>();
    if (p != null) {
      for (Vm vm : p.backends()) {
        if (!vm.leaving()) {
          serving.add(vm);
          if (healthy(p.check().key(), vm.id())) {
            healthy.add(vm);
          }
        }
      }
    }
    if (serving.isEmpty()) {
      connectionsWithoutBackend.incrementAndGet();
      return null;
    }
    List<Vm> from = healthy.isEmpty() ? serving : healthy;
    if (healthy.isEmpty()) {
      connectionsToUnhealthy.incrementAndGet(); // like GCE's passthrough NLB: all unhealthy → all get traffic
    }
    int n = roundRobin.computeIfAbsent(ruleKey, k -> new AtomicInteger()).getAndIncrement();
    return from.get(Math.floorMod(n, from.size()));
  }

  private void scheduleProbes(Snapshot s) {
    long nanos = System.nanoTime();
    Set<String> live = new HashSet<>();
    for (Target t : s.probes()) {
      String key = t.check().key() + "|" + t.vm().id();
      live.add(key);
      Probe p = probes.computeIfAbsent(key, k -> new Probe());
      if (!p.inFlight && nanos >= p.nextNanos) {
        p.inFlight = true;
        p.nextNanos = nanos + t.check().intervalMillis() * 1_000_000L;
        pool.execute(() -> {
          try {
            boolean ok = probe(t);
            probed.incrementAndGet();
            if (ok) {
              p.fails = 0;
              p.oks = Math.min(p.oks + 1, 1000);
              if (p.oks >= t.check().healthy()) {
                p.healthy = true;
              }
            } else {
              p.oks = 0;
              p.fails = Math.min(p.fails + 1, 1000);
              if (p.fails >= t.check().unhealthy()) {
                p.healthy = false;
              }
            }
          } finally {
            p.inFlight = false;
          }
        });
      }
    }
    probes.keySet().retainAll(live);
  }

  /** One probe: a TCP connect, or an HTTP GET answered 200, within the check's timeout. */
  private static boolean probe(Target t) {
    if (!t.admitted()) {
      return false; // the firewall drops the probe: to the checker it is a timeout
    }
    int timeout = (int) Math.max(1, t.check().timeoutMillis());
    int port = t.check().port() > 0 ? t.check().port() : t.vm().port();
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(t.vm().ip(), port), timeout);
      if (!t.check().http()) {
        return true;
      }
      s.setSoTimeout(timeout);
      OutputStream out = s.getOutputStream();
      out.write(("GET " + t.check().path() + " HTTP/1.1\r\nHost: " + t.vm().ip() + "\r\nUser-Agent: GoogleHC/1.0\r\n"
          + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      String status = InstanceServer.line(in);
      return status != null && status.matches("HTTP/1\\.[01] 200( .*)?");
    } catch (IOException e) {
      return false;
    }
  }

  /** The explicit ports of a forwarding rule ({@code ports} or {@code portRange}); empty for allPorts. */
  static List<Integer> ports(JsonNode fr) {
    List<Integer> out = new ArrayList<>();
    if (fr.path("allPorts").asBoolean(false)) {
      return out;
    }
    fr.path("ports").forEach(p -> out.add(p.asInt()));
    String range = fr.path("portRange").asText("");
    if (!range.isEmpty()) {
      String[] lohi = range.split("-");
      int lo = Integer.parseInt(lohi[0]);
      int hi = lohi.length > 1 ? Integer.parseInt(lohi[1]) : lo;
      for (int p = lo; p <= Math.min(hi, lo + 15); p++) {
        out.add(p); // the fake listens on at most 16 ports of a range
      }
    }
    return out;
  }

  FakeCompute.LbStats stats() {
    Map<String, Long> per = new TreeMap<>();
    requestsByBackend.forEach((k, v) -> per.put(k, v.get()));
    return new FakeCompute.LbStats(connections.get(), connectionsToUnhealthy.get(), connectionsWithoutBackend.get(),
        requestsToUnhealthy.get(), per);
  }

  @Override
  public void close() {
    closed = true;
    ticker.interrupt();
    try {
      ticker.join(5000); // so that it starts nothing after this
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    lbs.values().forEach(FakeLoadBalancer::close);
    servers.values().forEach(InstanceServer::close);
    lbs.clear();
    servers.clear();
    pool.shutdownNow();
  }
}
