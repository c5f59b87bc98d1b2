package io.dustcloud.provider.local;

import io.dustcloud.core.Reason;
import io.dustcloud.provider.FleetId;
import io.dustcloud.provider.ProviderException;
import io.dustcloud.provider.RevisionImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts, adopts and stops the instances of local fleets, and keeps their state file in step.
 * Which methods run under the fleet's lock and which outside it is part of each method's
 * contract: a stop is {@link #leave} (under the lock), {@link #drainAndKill} (outside it: it
 * waits for connections and processes) and {@link #forget} (under the lock again).
 */
final class LocalInstances {
  private static final Logger log = LoggerFactory.getLogger(LocalInstances.class);
  /** How long connections to an instance leaving the rotation may take to finish. */
  static final Duration DRAIN = Duration.ofSeconds(5);
  /** Logs of replaced instances kept per revision: enough to compare a few failures, bounded in a crash loop. */
  static final int KEPT_LOGS = 3;

  private final Duration drain;
  private final ProcessRuntime runtime;
  private final Map<String, InstanceRuntime> runtimes;
  private final PortAllocator ports;
  private final FleetStateStore store;
  /** Whether a fleet is still managed: the state of one deleted or released meanwhile is not written. */
  private final Predicate<LocalFleet> managed;

  LocalInstances(ProcessRuntime runtime, Map<String, InstanceRuntime> runtimes, PortAllocator ports,
      FleetStateStore store, Duration drain, Predicate<LocalFleet> managed) {
    this.drain = drain;
    this.runtime = runtime;
    this.runtimes = runtimes;
    this.ports = ports;
    this.store = store;
    this.managed = managed;
  }

  /** Which runtime boots a format: the format decides, the spec's runtime only confirms. */
  static String runtimeName(String format) {
    return switch (format) {
      case UnixArtifacts.FORMAT -> UnixArtifacts.RUNTIME;
      case "virtio" -> QemuRuntime.NAME;
      case "hvt", "spt" -> Solo5Runtime.NAME;
      default -> null;
    };
  }

  InstanceRuntime runtime(String name) {
    return runtimes.get(name);
  }

  Path logFile(String instanceId) {
    return runtime.logFile(instanceId);
  }

  /** A new fleet with its endpoint on a free port, recorded. */
  LocalFleet create(FleetId fleet) {
    LocalFleet f = new LocalFleet(fleet, openEndpoint(fleet, ports.allocate()));
    store.save(f.snapshot());
    return f;
  }

  /** The fleet a state file records, with the processes that still run; dead ones are forgotten. */
  LocalFleet adopt(FleetState state) {
    FleetId fleet = state.fleetId();
    ports.reserve(state.endpointPort());
    LocalFleet f = new LocalFleet(fleet, openEndpoint(fleet, state.endpointPort()));
    f.images.putAll(state.images());
    for (FleetState.Instance i : state.instances()) {
      Optional<ProcessHandle> process = runtime.adopt(i.id(), i.pid(), i.processStart());
      InstanceRuntime owner = runtimes.getOrDefault(i.runtime(), runtime);
      if (process.isPresent()) {
        ports.reserve(i.port());
        f.members.put(i.id(), new LocalFleet.Member(i, process.get(), owner));
      } else {
        log.info("fleet {}: forgetting instance {}: pid {} no longer runs it", fleet, i.id(), i.pid());
        owner.cleanUp(i.id());
      }
    }
    stopHalfStarted(fleet, state.starting());
    store.save(f.snapshot());
    log.info("fleet {}: adopted {} of {} instance(s), endpoint {}",
        fleet, f.members.size(), state.instances().size(), f.endpoint.address());
    return f;
  }

  /**
   * Stops instances an earlier operator recorded as starting but never recorded with a pid (it
   * was killed between the start and the state write): nobody would ever stop them, and they
   * would be one instance too many. They are found by their mark alone, which names an id only
   * that operator wrote; any other process, in the instances directory or not, is left alone.
   */
  private void stopHalfStarted(FleetId fleet, List<String> ids) {
    List<ProcessHandle> left = InstanceMarker.marked(ids);
    for (ProcessHandle p : left) {
      log.warn("fleet {}: stopping pid {}: instance {} was being started when its operator died: {}",
          fleet, p.pid(), InstanceMarker.marker(p.pid()).orElse("?"), p.info().commandLine().orElse("?"));
    }
    runtime.stop(left);
    ids.forEach(id -> runtimes.values().forEach(r -> r.cleanUp(id)));
  }

  /**
   * Binds the endpoint on its recorded port. If another program took that port meanwhile,
   * a new port beats no endpoint: clients must follow the observed endpoint anyway.
   */
  private FleetEndpoint openEndpoint(FleetId fleet, int port) {
    try {
      return FleetEndpoint.open(fleet.key(), port);
    } catch (IOException e) {
      int fresh = ports.allocate();
      log.warn("fleet {}: endpoint port {} unavailable ({}), moving to {}",
          fleet, port, e.getMessage(), fresh);
      try {
        return FleetEndpoint.open(fleet.key(), fresh);
      } catch (IOException again) {
        throw new ProviderException(Reason.ENDPOINT_UNAVAILABLE,
            "cannot listen on 127.0.0.1:" + fresh + " for " + fleet + ": " + again, true, again);
      }
    }
  }

  /** Under the lock: starts one instance of {@code image} and records it. */
  void start(LocalFleet f, RevisionImage image) {
    String id = image.revision() + "-" + UUID.randomUUID().toString().substring(0, 8);
    // taken before the start, so boot latency (createdAt to first passing probe) includes it
    Instant createdAt = Instant.now();
    int port = ports.allocate();
    InstanceRuntime owner = runtimes.get(runtimeName(image.format()));
    // recorded before the process exists: a crash before the write below leaves an id the next
    // provider finds the process by, instead of a process nobody knows (see stopHalfStarted)
    f.starting.add(id);
    store.save(f.snapshot());
    ProcessRuntime.Started started;
    try {
      started = owner.start(id, image, port);
    } catch (RuntimeException e) {
      ports.release(port);
      f.starting.remove(id);
      try {
        store.save(f.snapshot());
      } catch (RuntimeException again) {
        e.addSuppressed(again); // the id stays recorded; the next provider finds no process by it
      }
      throw e;
    }
    f.starting.remove(id);
    FleetState.Instance record = new FleetState.Instance(id, image.revision(),
        started.handle().pid(), started.startTime(), port,
        UnixArtifacts.path(image).toString(), createdAt, owner.name());
    f.members.put(id, new LocalFleet.Member(record, started.handle(), owner));
    // saved per start, so a crash right after leaves at most one process unrecorded
    store.save(f.snapshot());
  }

  /**
   * Under the lock: the first step of a stop. Marks the members stopping and takes them out of
   * routing, so no new connection reaches them and no other stop or count takes them; returns
   * those it marked (members already stopping belong to another stop). Nothing is written: a
   * crash from here on leaves them recorded, adopted and stopped again by the next realize.
   */
  List<LocalFleet.Member> leave(LocalFleet f, Collection<LocalFleet.Member> members) {
    List<LocalFleet.Member> leaving = members.stream().filter(m -> !m.stopping).distinct().toList();
    if (leaving.isEmpty()) {
      return leaving;
    }
    takeOutOfRouting(f, leaving);
    return leaving;
  }

  /** Marks the members stopping and removes them from the endpoint's rotation. */
  private static void takeOutOfRouting(LocalFleet f, List<LocalFleet.Member> members) {
    Set<String> ids = new HashSet<>();
    members.forEach(m -> {
      m.stopping = true;
      ids.add(m.record.id());
    });
    f.unroute(ids);
  }

  /**
   * Outside the lock: waits up to the drain time ({@link #DRAIN} by default) for the connections proxied to the members to
   * finish ({@code drain}), then stops their processes (SIGTERM, SIGKILL after the grace).
   * Reads only what does not change (addresses, process handles).
   */
  void drainAndKill(LocalFleet f, List<LocalFleet.Member> members, boolean drain) {
    if (members.isEmpty()) {
      return;
    }
    if (drain && !f.endpoint.awaitDrained(members.stream().map(LocalFleet.Member::socketAddress).toList(), this.drain)) {
      log.info("fleet {}: connections to stopping instances did not finish within {}s; stopping anyway",
          f.id, this.drain.toSeconds());
    }
    runtime.stop(members.stream().map(m -> m.process).toList());
  }

  /**
   * Under the lock: the last step of a stop, once the processes are gone. Drops the members from
   * the fleet and frees their ports and runtime leftovers ({@code dropLogs}: their logs too),
   * then writes the state; a member another stop already dropped is skipped.
   */
  void forget(LocalFleet f, List<LocalFleet.Member> members, boolean dropLogs) {
    boolean changed = false;
    for (LocalFleet.Member m : members) {
      if (f.members.remove(m.record.id(), m)) {
        changed = true;
        m.runtime.cleanUp(m.record.id());
        ports.release(m.record.port());
        if (dropLogs) {
          deleteQuietly(logFile(m.record.id()));
        } else {
          f.keepLog(m.record.revision(), m.record.id(), KEPT_LOGS).forEach(id -> deleteQuietly(logFile(id)));
        }
      }
    }
    if (changed && managed.test(f)) {
      store.save(f.snapshot());
    }
  }

  /**
   * Under the lock, in one go: for instances that failed or hang (whose connections will not
   * finish: no {@code drain}) and for a fleet being deleted. The state is written only after
   * the processes are gone, so a crash midway leaves them recorded and adoptable.
   */
  void stopNow(LocalFleet f, List<LocalFleet.Member> members, boolean dropLogs, boolean drain) {
    if (members.isEmpty()) {
      return;
    }
    takeOutOfRouting(f, members);
    drainAndKill(f, members, drain);
    forget(f, members, dropLogs);
  }

  /** Deletes the logs a fleet kept of its replaced instances: the fleet is deleted. */
  void dropKeptLogs(LocalFleet f) {
    f.dropKeptLogs().forEach(id -> deleteQuietly(logFile(id)));
  }

  /** The last lines of an instance's log, bounded (see {@link io.dustcloud.provider.ConsoleTail}). */
  List<String> logTail(String instanceId, int lines, int bytes) {
    Path log = logFile(instanceId);
    try (var in = java.nio.channels.FileChannel.open(log)) {
      // lines are short in practice: a few times the byte budget holds them, and no more is read
      long size = in.size();
      int read = (int) Math.min(size, (long) bytes * 4 + 256);
      java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(read);
      in.position(size - read);
      while (buf.hasRemaining() && in.read(buf) >= 0) {
        // fill
      }
      return io.dustcloud.provider.ConsoleTail.of(java.util.Arrays.copyOf(buf.array(), buf.position()), lines, bytes);
    } catch (IOException e) {
      return List.of();
    }
  }

  private static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException e) {
      log.debug("cannot delete {}: {}", p, e.toString());
    }
  }
}
