package io.dustcloud.provider.gce;

import io.dustcloud.provider.FleetObservation;
import io.dustcloud.provider.InstanceState;
import io.dustcloud.provider.InstanceView;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a fleet's load balancer adds to its listing: the endpoint, and the instances it does not
 * send traffic to (not yet HEALTHY in its own check), which therefore do not count as serving.
 * The load balancer's view ({@code regionBackendServices.getHealth}) is read only while it lags:
 * when a running instance is not in rotation yet — at once, then backing off (1 s doubling to
 * the observation interval) while the view does not change. A fleet whose running instances are
 * all in rotation costs no read. Every running instance counts, not only the probes' ready ones:
 * the load balancer sends traffic to whatever passes its check, whichever revision it runs.
 */
final class Rotation {
  private static final Logger log = LoggerFactory.getLogger(Rotation.class);

  private final GceTraffic traffic;
  private final Clock clock;
  private final Duration interval;
  private final Executor background;

  Rotation(GceTraffic traffic, Clock clock, Duration interval, Executor background) {
    this.traffic = traffic;
    this.clock = clock;
    this.interval = interval;
    this.background = background;
  }

  /** The listing with the endpoint and who is out of rotation; without a load balancer, as it is. */
  FleetObservation served(GceFleet f, FleetObservation o) {
    String endpoint = f.endpoint;
    if (endpoint == null) {
      return o;
    }
    readIfBehind(f, o);
    Set<String> rotation = f.inRotation;
    Set<String> out = new HashSet<>();
    for (InstanceView i : o.instances()) {
      if (!rotation.contains(i.id())) {
        out.add(i.id());
      }
    }
    return new FleetObservation(o.fleet(), o.instances(), Optional.of(endpoint), out, o.problems());
  }

  private void readIfBehind(GceFleet f, FleetObservation o) {
    if (f.endpoint == null || clock.instant().isBefore(f.rotationReadAfter)) {
      return;
    }
    Set<String> rotation = f.inRotation;
    boolean behind = o.instances().stream()
        .anyMatch(i -> i.state() == InstanceState.RUNNING && !i.address().isEmpty() && !rotation.contains(i.id()));
    if (!behind || !f.rotationRefreshing.compareAndSet(false, true)) {
      return;
    }
    background.execute(() -> {
      try {
        Set<String> healthy;
        f.lock.lock();
        try {
          healthy = f.location == null || f.endpoint == null ? Set.of() : traffic.healthy(f);
        } finally {
          f.lock.unlock();
        }
        f.rotationDelay = Backoff.whileUnchanged(f.rotationDelay, healthy.equals(f.inRotation), Duration.ofSeconds(1),
            interval);
        f.inRotation = Set.copyOf(healthy);
        f.rotationReadAfter = clock.instant().plus(f.rotationDelay);
      } catch (RuntimeException e) {
        log.debug("fleet {}: reading the load balancer's health failed: {}", f.id, e.getMessage());
        f.rotationReadAfter = clock.instant().plus(Duration.ofSeconds(1));
      } finally {
        f.rotationRefreshing.set(false);
      }
    });
  }
}
