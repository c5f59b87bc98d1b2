package io.dustcloud.supervisor;

import io.dustcloud.core.health.HealthPolicy;
import io.dustcloud.core.health.ProbeResult;
import io.dustcloud.core.health.Readiness;
import io.dustcloud.provider.FleetObservation;
import io.dustcloud.provider.InstanceState;
import io.dustcloud.provider.InstanceView;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The probes of one fleet's instances and the readiness they make: starts the probes that are
 * due, takes their results in and keeps each instance's {@link Readiness}.
 *
 * <p>Probes are asynchronous and each instance's results arrive on their own: a run never
 * waits for a probe, so a hung instance delays nobody, not even its own next probe (a probe
 * may start while the previous one still waits for its timeout; at most {@link #maxInFlight}
 * per instance). Instances not yet ready are probed on every run (four per tick), ready ones
 * every probe period; a new instance is also probed again {@link #STARTUP_RETRY} after each
 * failed probe until its first pass (at most {@link #STARTUP_PROBES} times).
 *
 * <p>Concurrency: one monitor. Every method is {@code synchronized}; runs call in from the
 * tick thread, results from the HTTP threads. Nothing slow happens under the lock (a probe is
 * only started), and no other lock is taken under it except the readiness-change callback,
 * which must only flag and kick.
 */
final class ProbeScheduler {
  private final SupervisorContext ctx;
  private final Runnable onReadinessChange;
  private final Map<String, Probed> instances = new HashMap<>();
  /** Revisions one of whose instances became ready since the last {@link #startDue}, in order. */
  private final List<String> recovered = new ArrayList<>();

  /**
   * A new instance is probed again this soon after a failed probe, until its first pass: a
   * process or unikernel starts listening tens of milliseconds after it is started, and a probe
   * of a port not yet listening is refused at once (about 100 µs of CPU on loopback), so it
   * joins the rotation within 50 ms of listening rather than at the next run (a quarter tick).
   */
  static final Duration STARTUP_RETRY = Duration.ofMillis(50);
  /**
   * At most this many such quick probes per instance (2 s of them): a VM booting for 20–30 s
   * costs 40 extra probes, then its probes follow the runs.
   */
  static final int STARTUP_PROBES = 40;
  private static final java.util.concurrent.Executor RETRY =
      java.util.concurrent.CompletableFuture.delayedExecutor(STARTUP_RETRY.toMillis(),
          java.util.concurrent.TimeUnit.MILLISECONDS, Runnable::run);

  /** One instance's probe state: readiness, when its last probe started, probes still out. */
  private static final class Probed {
    Readiness readiness = Readiness.UNKNOWN;
    Instant lastStarted;
    int inFlight;
    String revision;
    String address;
    /** Quick probes left before the first pass (see {@link #STARTUP_RETRY}); 0 once one passed. */
    int startupProbes = STARTUP_PROBES;
  }

  /**
   * The readiness of every observed instance (instances that exited or are stopping count as
   * lost), and the revisions that recovered since the last view.
   */
  record View(Map<String, Readiness> readiness, List<String> recovered) {}

  /** @param onReadinessChange called (under this lock) when an instance becomes ready or stops being ready */
  ProbeScheduler(SupervisorContext ctx, Runnable onReadinessChange) {
    this.ctx = ctx;
    this.onReadinessChange = onReadinessChange;
  }

  /**
   * Forgets instances no longer observed, starts the probes that are due, and returns the
   * readiness of every observed instance: one pass under the lock per run.
   */
  synchronized View startDue(FleetObservation observed, ProbeSpec probe) {
    Instant now = ctx.clock().instant();
    Set<String> present = observed.instances().stream().map(InstanceView::id).collect(Collectors.toSet());
    instances.keySet().retainAll(present);
    // half a tick of slack: a period equal to the tick must not skip a tick because of jitter
    Duration period = probe.period().minus(ctx.interval().dividedBy(2));
    int maxInFlight = maxInFlight(probe);
    Map<String, Readiness> readiness = new HashMap<>();
    for (InstanceView instance : observed.instances()) {
      Probed p = instances.computeIfAbsent(instance.id(), id -> new Probed());
      p.revision = instance.revision();
      p.address = instance.address();
      // the readiness this run decides on: a probe started now reports later
      readiness.put(instance.id(), probeable(instance) ? p.readiness : p.readiness.lost());
      if (!probeable(instance) || p.inFlight >= maxInFlight) {
        continue;
      }
      boolean due = !p.readiness.ready() || p.lastStarted == null || !now.isBefore(p.lastStarted.plus(period));
      if (due) {
        start(instance.id(), p, probe, now);
      }
    }
    return new View(readiness, drainRecovered());
  }

  private void start(String id, Probed p, ProbeSpec probe, Instant now) {
    p.lastStarted = now;
    p.inFlight++;
    ctx.prober().probe(p.address, probe).thenAccept(result -> completed(id, result, probe));
  }

  /** A quick probe of a new instance not yet passing, unless it is gone or passed meanwhile. */
  private synchronized void startupProbe(String id, ProbeSpec probe) {
    Probed p = instances.get(id);
    if (p != null && !p.readiness.ready() && p.inFlight < maxInFlight(probe)
        && !p.address.isEmpty()) {
      start(id, p, probe, ctx.clock().instant());
    }
  }

  /** Probes may outlive one period when their timeout is as long; bound how many pile up. */
  static int maxInFlight(ProbeSpec probe) {
    long ratio = (probe.timeout().toMillis() + probe.period().toMillis() - 1) / Math.max(1, probe.period().toMillis());
    return (int) Math.min(5, Math.max(1, ratio) + 1);
  }

  private synchronized void completed(String id, ProbeResult result, ProbeSpec probe) {
    ctx.metrics().probed(ctx.fleet(), result);
    Probed p = instances.get(id);
    if (p == null) {
      return; // the instance is gone
    }
    p.inFlight--;
    Readiness before = p.readiness;
    HealthPolicy policy = probe.policy();
    p.readiness = before.observe(result, policy.failureThreshold(), policy.successThreshold(), ctx.clock().instant());
    if (p.readiness.ready() && !before.ready()) {
      recovered.add(p.revision);
    }
    if (p.readiness.ready() != before.ready()) {
      onReadinessChange.run();
    }
    if (result.passed()) {
      p.startupProbes = 0;
    } else if (p.startupProbes > 0 && !p.readiness.ready()) {
      p.startupProbes--;
      RETRY.execute(() -> startupProbe(id, probe));
    }
  }

  /** The revisions that recovered since the last call (or {@link #startDue}), oldest first. */
  synchronized List<String> drainRecovered() {
    List<String> out = List.copyOf(recovered);
    recovered.clear();
    return out;
  }

  /** Forgets replaced instances: their probes' late results are dropped. */
  synchronized void forget(Collection<String> ids) {
    instances.keySet().removeAll(ids);
  }

  /** Not failed or stopping, and with an address (a GCE VM has none until its network is set up). */
  static boolean probeable(InstanceView i) {
    return i.state() != InstanceState.FAILED && i.state() != InstanceState.STOPPING && !i.address().isEmpty();
  }
}
