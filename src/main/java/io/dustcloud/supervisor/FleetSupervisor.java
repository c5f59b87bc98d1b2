package io.dustcloud.supervisor;

import io.dustcloud.core.health.ProbeResult;
import io.dustcloud.core.health.Readiness;
import io.dustcloud.provider.FleetId;
import io.dustcloud.provider.FleetObservation;
import io.dustcloud.provider.FleetProvider;
import io.dustcloud.provider.InstanceState;
import io.dustcloud.provider.InstanceView;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The per-second loop of one fleet: observe the provider, probe instances, publish the ready
 * set to the provider's endpoint, and wake the reconciler when readiness changes. Instances
 * not yet ready are probed every tick so a fast boot is noticed at once; ready ones every
 * probe period.
 */
public final class FleetSupervisor {
  private static final Logger log = LoggerFactory.getLogger(FleetSupervisor.class);

  private final FleetId fleet;
  private final FleetProvider provider;
  private final HttpProber prober;
  private final Clock clock;
  private final Consumer<FleetId> onChange;
  private volatile ProbeSpec spec;
  private final Map<String, Readiness> readiness = new HashMap<>();
  private final Map<String, Instant> lastProbed = new HashMap<>();
  private volatile FleetHealth snapshot = FleetHealth.EMPTY;
  private Set<String> lastInstances = Set.of();

  FleetSupervisor(
      FleetId fleet,
      FleetProvider provider,
      HttpProber prober,
      Clock clock,
      ProbeSpec spec,
      Consumer<FleetId> onChange) {
    this.fleet = fleet;
    this.provider = provider;
    this.prober = prober;
    this.clock = clock;
    this.spec = spec;
    this.onChange = onChange;
  }

  void update(ProbeSpec spec) {
    this.spec = spec;
  }

  FleetHealth health() {
    return snapshot;
  }

  /** One tick. Called by one scheduler thread at a time per fleet. */
  void tick() {
    FleetObservation observed;
    try {
      observed = provider.observe(fleet);
    } catch (RuntimeException e) {
      log.warn("fleet {}: observe failed: {}", fleet, e.getMessage());
      return;
    }
    ProbeSpec probe = spec;
    Instant now = clock.instant();
    Map<String, CompletableFuture<ProbeResult>> inFlight = new HashMap<>();
    for (InstanceView instance : observed.instances()) {
      if (instance.state() == InstanceState.FAILED || instance.state() == InstanceState.STOPPING) {
        continue;
      }
      Readiness r = readiness.getOrDefault(instance.id(), Readiness.UNKNOWN);
      Instant last = lastProbed.get(instance.id());
      boolean due = !r.ready() || last == null || !now.isBefore(last.plus(probe.period()));
      if (due) {
        inFlight.put(instance.id(), prober.probe(instance.address(), probe.path(), probe.timeout()));
        lastProbed.put(instance.id(), now);
      }
    }
    awaitAll(inFlight.values(), probe.timeout().plusMillis(500));
    Instant done = clock.instant();
    Map<String, Readiness> next = new HashMap<>();
    for (InstanceView instance : observed.instances()) {
      Readiness r = readiness.getOrDefault(instance.id(), Readiness.UNKNOWN);
      if (instance.state() == InstanceState.FAILED || instance.state() == InstanceState.STOPPING) {
        r = new Readiness(false, r.consecutiveFailures(), r.firstReadyAt(), r.last());
      } else {
        CompletableFuture<ProbeResult> f = inFlight.get(instance.id());
        if (f != null) {
          ProbeResult result = f.getNow(ProbeResult.fail(probe.timeout().toMillis(), "probe timed out"));
          r = r.observe(result, probe.failureThreshold(), done);
        }
      }
      next.put(instance.id(), r);
    }
    lastProbed.keySet().retainAll(next.keySet());
    Set<String> readyBefore = snapshot.readyIds();
    readiness.clear();
    readiness.putAll(next);
    snapshot = new FleetHealth(next);
    Set<String> readyNow = snapshot.readyIds();
    try {
      provider.updateReady(fleet, readyNow);
    } catch (RuntimeException e) {
      log.warn("fleet {}: updating the endpoint failed: {}", fleet, e.getMessage());
    }
    Set<String> instances = next.keySet();
    if (!readyNow.equals(readyBefore) || !instances.equals(lastInstances)) {
      lastInstances = Set.copyOf(instances);
      onChange.accept(fleet);
    }
  }

  private static void awaitAll(java.util.Collection<CompletableFuture<ProbeResult>> futures, Duration bound) {
    try {
      CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new))
          .get(bound.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      // probes still running count as timed out; their results are ignored
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (java.util.concurrent.ExecutionException e) {
      // cannot happen: probes never complete exceptionally
    }
  }

  List<String> instanceIds() {
    return List.copyOf(snapshot.instances().keySet());
  }
}
