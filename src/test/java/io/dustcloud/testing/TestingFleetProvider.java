package io.dustcloud.testing;

import io.dustcloud.provider.DesiredFleet;
import io.dustcloud.provider.FleetId;
import io.dustcloud.provider.FleetObservation;
import io.dustcloud.provider.FleetProvider;
import io.dustcloud.provider.InstanceState;
import io.dustcloud.provider.InstanceView;
import io.dustcloud.provider.RevisionImage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-memory provider for operator tests. Every instance answers health checks through one
 * real loopback HTTP server: 200 on {@code /health}, 503 on any other path, so a wrong probe
 * path fails like it would on real instances.
 */
public final class TestingFleetProvider implements FleetProvider {
  private final String name;
  private final LoopbackHealth health = new LoopbackHealth();
  /** Answers every probe with 503: where instances of {@link #brokenRevisions} listen. */
  private final LoopbackHealth broken = new LoopbackHealth("/", ex -> {
    ex.sendResponseHeaders(503, -1);
    ex.close();
  });
  /** Revisions whose instances never pass a health check (a bad release). */
  public final Set<String> brokenRevisions = ConcurrentHashMap.newKeySet();
  private final Map<FleetId, List<InstanceView>> fleets = new ConcurrentHashMap<>();
  private final Map<FleetId, Set<String>> ready = new ConcurrentHashMap<>();
  private final AtomicInteger ids = new AtomicInteger();
  public final List<String> calls = new CopyOnWriteArrayList<>();
  public volatile String unsupported;
  /** The reason {@link #unsupported} is reported with; null: the SPI's default, ProviderUnsupported. */
  public volatile io.dustcloud.core.Reason unsupportedAs;
  /** Fleets whose observe hangs until their latch opens (a provider call that does not return). */
  public final Map<FleetId, java.util.concurrent.CountDownLatch> hangObserve = new ConcurrentHashMap<>();

  public TestingFleetProvider(String name) {
    this.name = name;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String unsupportedReason(RevisionImage image) {
    return unsupported;
  }

  @Override
  public io.dustcloud.provider.Unsupported unsupported(RevisionImage image) {
    String message = unsupported;
    io.dustcloud.core.Reason as = unsupportedAs;
    return message == null || as == null ? FleetProvider.super.unsupported(image)
        : new io.dustcloud.provider.Unsupported(as, message);
  }

  @Override
  public FleetObservation observe(FleetId fleet) {
    var hang = hangObserve.get(fleet);
    if (hang != null) {
      try {
        hang.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    return new FleetObservation(fleet, fleets.getOrDefault(fleet, List.of()), endpoint(fleet));
  }

  private Optional<String> endpoint(FleetId fleet) {
    return fleets.containsKey(fleet) ? Optional.of("fake-endpoint/" + fleet.key()) : Optional.empty();
  }

  @Override
  public synchronized FleetObservation realize(DesiredFleet desired) {
    calls.add("realize " + desired.fleet() + " " + desired.total());
    List<InstanceView> current = new ArrayList<>(fleets.getOrDefault(desired.fleet(), List.of()));
    current.removeIf(i -> !desired.revisions().containsKey(i.revision()));
    for (var e : desired.revisions().entrySet()) {
      List<InstanceView> mine = current.stream().filter(i -> i.revision().equals(e.getKey())).toList();
      for (int k = mine.size(); k < e.getValue().replicas(); k++) {
        String address = brokenRevisions.contains(e.getKey()) ? broken.address() : address();
        current.add(new InstanceView("i-" + ids.incrementAndGet(), e.getKey(), address, InstanceState.RUNNING, Instant.now()));
      }
      for (int k = e.getValue().replicas(); k < mine.size(); k++) {
        current.remove(mine.get(mine.size() - 1 - (k - e.getValue().replicas())));
      }
    }
    fleets.put(desired.fleet(), List.copyOf(current));
    return observe(desired.fleet());
  }

  private String address() {
    return health.address();
  }

  @Override
  public void replace(FleetId fleet, Collection<String> instanceIds) {
    calls.add("replace " + fleet + " " + instanceIds);
  }

  @Override
  public void updateReady(FleetId fleet, Set<String> readyInstanceIds) {
    ready.put(fleet, Set.copyOf(readyInstanceIds));
  }

  /** Routes like the local endpoint (only to what {@link #updateReady} named), unless a test says otherwise. */
  public volatile boolean routesOnlyToNamed = true;

  @Override
  public boolean routesOnlyToNamedInstances() {
    return routesOnlyToNamed;
  }

  public Set<String> ready(FleetId fleet) {
    return ready.getOrDefault(fleet, Set.of());
  }

  @Override
  public void delete(FleetId fleet) {
    calls.add("delete " + fleet);
    fleets.remove(fleet);
  }

  @Override
  public void release(FleetId fleet) {
    calls.add("release " + fleet);
    fleets.remove(fleet);
  }

  @Override
  public void close() {
    health.close();
    broken.close();
  }
}
