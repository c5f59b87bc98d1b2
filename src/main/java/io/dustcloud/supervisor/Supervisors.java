package io.dustcloud.supervisor;

import io.dustcloud.core.health.Repair;
import io.dustcloud.provider.FleetId;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/** Runs one {@link FleetSupervisor} per fleet on a shared scheduler. */
public final class Supervisors implements Supervision, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Supervisors.class);

  private final Clock clock;
  private final Duration tick;
  /** Response handling of probes and scrapes: a few threads do it; the default pool is unbounded. */
  private final ExecutorService http = Executors.newFixedThreadPool(4, r -> {
    Thread t = new Thread(r, "dustcloud-probe-http");
    t.setDaemon(true);
    return t;
  });
  /** Probes and scrapes share one client: one selector thread, keep-alive connections per instance. */
  private final InstanceHttp instances = new InstanceHttp("dustcloud-instance-http");
  private final HttpProber prober = new HttpProber(instances, http);
  private final ScheduledExecutorService scheduler;
  private final SupervisorMetrics metrics;
  private final AutoscalerMetrics autoscalerMetrics;
  private final MetricsScraper scraper;
  private final Map<FleetId, Running> running = new ConcurrentHashMap<>();
  private volatile FleetListener listener = f -> {};

  /**
   * Ticks run here, not on the scheduler: a tick may wait for its provider (a first listing, a
   * replacement) and must not hold up the other fleets' ticks. Each fleet has at most one tick
   * queued or running; a tick due while the last one still runs is skipped, not queued.
   */
  private final ExecutorService workers;
  static final int WORKER_THREADS = 8;
  /** Supervisor runs per tick while instances boot or fail (see {@link #probeInterval}). */
  static final int BEATS_PER_TICK = 4;
  /** Slots per quarter tick that settled fleets' beats share: 5, so 50 ms at the default 1 s tick. */
  static final int SLOTS_PER_QUARTER = 5;

  private record Running(FleetSupervisor supervisor, Beat beat) {}

  public Supervisors(Clock clock, Duration tick, MeterRegistry registry) {
    this.clock = clock;
    this.tick = tick;
    this.metrics = new SupervisorMetrics(registry);
    this.autoscalerMetrics = new AutoscalerMetrics(registry);
    this.scraper = new MetricsScraper(clock, instances, http);
    this.scheduler =
        Executors.newScheduledThreadPool(
            2,
            r -> {
              Thread t = new Thread(r, "dustcloud-supervisor");
              t.setDaemon(true);
              return t;
            });
    this.workers =
        Executors.newFixedThreadPool(
            WORKER_THREADS,
            r -> {
              Thread t = new Thread(r, "dustcloud-supervisor-tick");
              t.setDaemon(true);
              return t;
            });
  }

  /** Who to tell when a fleet changes (the reconciler's trigger) or an instance is repaired. */
  public void listener(FleetListener listener) {
    this.listener = listener;
  }

  /**
   * Starts supervising the fleet, or updates its probe, autoscale and serving settings. A new
   * supervisor is seeded from {@code spec.repairsSoFar()} and {@code spec.initialTotal()}; an
   * existing one ignores them: from then on the supervisor owns the fleet's total (read it from
   * {@link #snapshot}), and new limits apply to it before this returns.
   */
  @Override
  public void supervise(FleetId fleet, SupervisionSpec spec) {
    running.compute(
        fleet,
        (id, existing) -> {
          if (existing != null) {
            existing.supervisor().update(spec);
            return existing;
          }
          FleetListener relay = new FleetListener() {
            @Override
            public void changed(FleetId f) {
              listener.changed(f);
            }

            @Override
            public void repaired(FleetId f, Repair r) {
              listener.repaired(f, r);
            }

            @Override
            public void repairFailed(FleetId f, Repair r, String error) {
              listener.repairFailed(f, r, error);
            }
          };
          Duration interval = probeInterval(tick);
          SupervisorContext ctx = new SupervisorContext(id, spec.provider(), prober, clock, interval, metrics, relay);
          // the autoscaler is made with the supervisor, before its beat: it finds the beat here
          AtomicReference<Beat> beatRef = new AtomicReference<>();
          FleetSupervisor s = new FleetSupervisor(ctx, spec, (autoscale, initialTotal) ->
              new FleetAutoscaler(id, scraper, autoscalerMetrics, clock, autoscale, initialTotal, () -> {
                relay.changed(id);
                Beat b = beatRef.get();
                if (b != null) {
                  b.wake();
                }
              }));
          Beat beat = new Beat(s, id, interval);
          beatRef.set(beat);
          s.onReadinessChange(beat::kick);
          beat.schedule(0);
          return new Running(s, beat);
        });
  }

  /**
   * One fleet's schedule: it hands a supervisor run to the workers unless one is still queued
   * or running, then schedules itself again. While the fleet is busy (instances booting or
   * failing, its autoscaler wanting more, an autoscaling round due) it beats every quarter tick
   * and runs on each beat; once it is settled (all ready, nothing to repair, as many as wanted)
   * it beats once per tick — still a run per tick, and so an autoscaling round per tick — since
   * at 1,000 fleets the quarter-tick beats alone cost the scheduler threads 4,000 wake-ups a
   * second (issue 20: 0.03 of a core at rest). A readiness change and a realize that changed
   * the instances {@link #kick} a run at once; a changed decision {@link #wake}s the schedule.
   */
  private final class Beat {
    private final FleetSupervisor supervisor;
    private final FleetId fleet;
    private final long quarterMillis;
    private final long tickMillis;
    private final AtomicBoolean busy = new AtomicBoolean();
    /** A kick came while a run was queued or running: run once more when it ends. */
    private final AtomicBoolean again = new AtomicBoolean();
    // guarded by this: a wake replaces the pending beat, so scheduling must not race with a beat
    private ScheduledFuture<?> next;
    /** Which scheduled beat is the live one: a beat replaced by a wake may still run, and must do nothing. */
    private long generation;
    private volatile boolean stopped;
    /** Milliseconds of beats since this schedule last dispatched a run. */
    private long sinceRun;

    Beat(FleetSupervisor supervisor, FleetId fleet, Duration interval) {
      this.supervisor = supervisor;
      this.fleet = fleet;
      this.quarterMillis = interval.toMillis();
      this.tickMillis = interval.toMillis() * BEATS_PER_TICK;
    }

    synchronized void schedule(long delayMillis) {
      if (stopped) {
        return;
      }
      long g = ++generation;
      try {
        next = scheduler.schedule(() -> beat(g), delayMillis, TimeUnit.MILLISECONDS);
      } catch (RejectedExecutionException closed) {
        stopped = true;
      }
    }

    synchronized void stop() {
      stopped = true;
      if (next != null) {
        next.cancel(false);
      }
    }

    /**
     * The autoscaler changed the fleet's total: instances are about to start or stop, so the
     * fleet beats at full rate from now on, not after its settled tick-long wait.
     */
    synchronized void wake() {
      supervisor.unsettle();
      if (next != null) {
        next.cancel(false);
      }
      sinceRun = 0;
      schedule(quarterMillis);
    }

    private synchronized void beat(long g) {
      if (g != generation) {
        return;
      }
      if (!supervisor.idle() || sinceRun >= tickMillis) {
        sinceRun = 0;
        dispatch();
      }
      // settled: beat when the next run is due (a tick after the last), on a shared slot; busy:
      // every quarter tick
      if (supervisor.settled()) {
        long due = tickMillis - sinceRun;
        long delay = slotted(System.nanoTime() / 1_000_000, due, quarterMillis / SLOTS_PER_QUARTER);
        // a beat brought forward onto its slot still counts as the tick it stands for
        sinceRun += Math.max(delay, due);
        schedule(delay);
      } else {
        sinceRun += quarterMillis;
        schedule(quarterMillis);
      }
    }

    /** A run now unless one is queued or running (a beat due meanwhile is skipped, not queued). */
    void dispatch() {
      if (!busy.compareAndSet(false, true)) {
        return;
      }
      try {
        workers.execute(() -> {
          try {
            again.set(false); // this run covers every kick until now
            safeTick(supervisor, fleet);
          } finally {
            busy.set(false);
            if (again.get()) {
              dispatch();
            }
          }
        });
      } catch (RejectedExecutionException closed) {
        busy.set(false);
      }
    }

    /**
     * A run now, or right after the one running: something changed that the running one may
     * have missed (an instance became ready after it probed, the provider started instances
     * after it observed). Set before trying, so the running one sees it when it ends.
     */
    void kick() {
      again.set(true);
      if (!busy.get()) {
        dispatch();
      }
    }
  }

  /**
   * A settled fleet's delay to its next beat, moved to the nearest multiple of {@code slot}
   * milliseconds of the monotonic clock (never into the past). Settled fleets then beat
   * together, a few dozen to a slot, rather than each at its own instant: the scheduler wakes
   * once per slot, and their runs and scrapes reach the workers and the HTTP selector in bursts
   * that cost one wake-up each, not one per fleet — at rest, wake-ups are most of what a fleet
   * costs (issue 20). Nearest, not next: a beat fires a little after its time, and rounding up
   * would then cost a whole slot every tick; so a fleet moves by at most half a slot, once, and
   * then keeps its tick.
   */
  static long slotted(long nowMillis, long delayMillis, long slot) {
    if (slot <= 1) {
      return delayMillis;
    }
    long at = nowMillis + Math.max(0, delayMillis);
    long aligned = Math.floorDiv(at + slot / 2, slot) * slot;
    if (aligned < nowMillis) {
      aligned += slot;
    }
    return aligned - nowMillis;
  }

  /**
   * The supervisor runs four times per tick: instances that are not ready yet (a replacement
   * booting) are probed at that pace, so a fast boot is noticed within a quarter tick; ready
   * instances are still probed once per probe period.
   */
  static Duration probeInterval(Duration tick) {
    Duration quarter = tick.dividedBy(BEATS_PER_TICK);
    return quarter.compareTo(Duration.ofMillis(50)) < 0 ? Duration.ofMillis(50) : quarter;
  }

  @Override
  public void instancesChanged(FleetId fleet) {
    Running r = running.get(fleet);
    if (r != null) {
      r.beat().wake();
      r.beat().kick();
    }
  }

  private static void safeTick(FleetSupervisor s, FleetId id) {
    // the same MDC keys JOSDK sets around a reconcile, so every log line names its resource
    MDC.put("resource.namespace", id.namespace());
    MDC.put("resource.name", id.name());
    try {
      s.tick();
    } catch (RuntimeException e) {
      // a failed tick must not cancel the schedule
      log.error("fleet {}: supervisor tick failed", id, e);
    } finally {
      MDC.remove("resource.namespace");
      MDC.remove("resource.name");
    }
  }

  /**
   * What the fleet's supervisor knows now: health, the latest autoscaling decision and the
   * total the fleet should have; {@link FleetSnapshot#UNSUPERVISED} for a fleet not supervised.
   */
  @Override
  public FleetSnapshot snapshot(FleetId fleet) {
    Running r = running.get(fleet);
    return r == null ? FleetSnapshot.UNSUPERVISED : r.supervisor().snapshot();
  }

  public void stop(FleetId fleet) {
    Running r = running.remove(fleet);
    if (r != null) {
      r.beat().stop();
    }
    metrics.remove(fleet);
    autoscalerMetrics.remove(fleet);
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
    workers.shutdownNow();
    instances.close();
    http.shutdownNow();
    running.clear();
  }
}
