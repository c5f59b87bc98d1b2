package io.dustcloud.supervisor;

import io.dustcloud.provider.FleetId;
import io.dustcloud.provider.FleetProvider;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/** Runs one {@link FleetSupervisor} per fleet on a shared scheduler. */
public final class Supervisors implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Supervisors.class);

  private final Clock clock;
  private final Duration tick;
  private final HttpProber prober = new HttpProber();
  private final ScheduledExecutorService scheduler;
  private final Map<FleetId, Running> running = new ConcurrentHashMap<>();
  private volatile Consumer<FleetId> onChange = f -> {};

  private record Running(FleetSupervisor supervisor, ScheduledFuture<?> task) {}

  public Supervisors(Clock clock, Duration tick) {
    this.clock = clock;
    this.tick = tick;
    this.scheduler =
        Executors.newScheduledThreadPool(
            2,
            r -> {
              Thread t = new Thread(r, "dustcloud-supervisor");
              t.setDaemon(true);
              return t;
            });
  }

  /** Who to tell when a fleet's readiness or membership changes (the reconciler's trigger). */
  public void onChange(Consumer<FleetId> listener) {
    this.onChange = listener;
  }

  /** Starts supervising the fleet, or updates its probe settings. */
  public void ensure(FleetId fleet, FleetProvider provider, ProbeSpec spec) {
    running
        .compute(
            fleet,
            (id, existing) -> {
              if (existing != null) {
                existing.supervisor().update(spec);
                return existing;
              }
              FleetSupervisor s = new FleetSupervisor(id, provider, prober, clock, spec, f -> onChange.accept(f));
              ScheduledFuture<?> task =
                  scheduler.scheduleWithFixedDelay(
                      () -> safeTick(s, id), 0, tick.toMillis(), TimeUnit.MILLISECONDS);
              return new Running(s, task);
            });
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

  public FleetHealth health(FleetId fleet) {
    Running r = running.get(fleet);
    return r == null ? FleetHealth.EMPTY : r.supervisor().health();
  }

  public void stop(FleetId fleet) {
    Running r = running.remove(fleet);
    if (r != null) {
      r.task().cancel(false);
    }
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
    running.clear();
  }
}
