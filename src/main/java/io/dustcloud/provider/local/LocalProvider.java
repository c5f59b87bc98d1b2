package io.dustcloud.provider.local;

import io.dustcloud.core.Reason;
import io.dustcloud.provider.DesiredFleet;
import io.dustcloud.provider.FleetId;
import io.dustcloud.provider.FleetObservation;
import io.dustcloud.provider.FleetProvider;
import io.dustcloud.provider.InstanceView;
import io.dustcloud.provider.ProviderException;
import io.dustcloud.provider.RevisionImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs fleets on this host, picking the runtime by artifact format: {@code unix} as child
 * processes ({@code process}), {@code virtio} as QEMU guests ({@code qemu}), {@code hvt} and
 * {@code spt} under Solo5 tenders ({@code solo5}). Every instance is reached on a loopback
 * port, and each fleet gets one stable loopback endpoint that balances over the ready ones.
 * What the host can boot is probed on first need (see {@link HostCapabilities}) and cached.
 *
 * <p>State lives in {@code stateDir} ({@code fleets/<namespace>.<name>.json}, instance logs
 * in {@code instances/<id>.log}). A provider created over the state of a previous one, even
 * one that was killed, adopts the processes that still run and re-binds the endpoints.
 */
public final class LocalProvider implements FleetProvider {
  private static final Logger log = LoggerFactory.getLogger(LocalProvider.class);
  public static final Duration DEFAULT_STOP_GRACE = Duration.ofSeconds(2);
  /** How long connections to an instance leaving the rotation may take to finish. */
  static final Duration DRAIN = Duration.ofSeconds(5);

  private final FleetStateStore store;
  private final ProcessRuntime runtime;
  private final Map<String, InstanceRuntime> runtimes;
  private final HostCommands host;
  private final Path stateDir;
  private final Path kvmDevice;
  private volatile HostCapabilities capabilities;
  private final PortAllocator ports = new PortAllocator();
  private final Map<String, LocalFleet> fleets = new ConcurrentHashMap<>();
  private final Map<String, ReentrantLock> locks = new ConcurrentHashMap<>();
  private volatile boolean closed;

  public LocalProvider(Path stateDir) {
    this(stateDir, DEFAULT_STOP_GRACE);
  }

  /** @param stopGrace how long a stopped instance gets between SIGTERM and SIGKILL */
  public LocalProvider(Path stateDir, Duration stopGrace) {
    this(stateDir, stopGrace, HostCommands.system(), Path.of("/dev/kvm"));
  }

  /** @param host how programs are found and run (tests simulate hosts without QEMU or Solo5) */
  LocalProvider(Path stateDir, Duration stopGrace, HostCommands host, Path kvmDevice) {
    Path dir = stateDir.toAbsolutePath().normalize();
    this.stateDir = dir;
    this.host = host;
    this.kvmDevice = kvmDevice;
    this.store = new FleetStateStore(dir);
    ArtifactDigests digests = new ArtifactDigests();
    this.runtime = new ProcessRuntime(dir.resolve("instances"), stopGrace, new UnixArtifacts(digests));
    this.runtimes = Map.of(
        runtime.name(), runtime,
        QemuRuntime.NAME, new QemuRuntime(runtime, new VmArtifacts(dir.resolve("vm-images"), digests), this::capabilities),
        Solo5Runtime.NAME, new Solo5Runtime(runtime, host, this::capabilities, digests, dir.resolve("sockets")));
    for (FleetState state : store.loadAll()) {
      adopt(state);
    }
    reapUnrecorded();
  }

  /**
   * Stops instances an earlier operator started but never recorded (killed between the start
   * and the state write): nobody would ever stop them, and they would be one instance too many.
   */
  private void reapUnrecorded() {
    java.util.Set<Long> known = new java.util.HashSet<>();
    fleets.values().forEach(f -> f.members.values().forEach(m -> known.add(m.process.pid())));
    for (ProcessHandle p : runtime.unrecorded(known)) {
      log.warn("stopping pid {}: an instance process no fleet records (its operator died while starting it): {}",
          p.pid(), p.info().commandLine().orElse("?"));
      p.destroyForcibly();
    }
  }

  @Override
  public String name() {
    return "local";
  }

  /**
   * The runtime follows the artifact format; a runtime named in the spec must agree with it.
   * Also sets the execute bit on a unix artifact that lacks it, as booting it would.
   */
  @Override
  public String unsupportedReason(RevisionImage image) {
    String name = runtimeName(image.format());
    if (name == null) {
      return "the local provider cannot boot artifacts of format '" + image.format() + "'";
    }
    String asked = image.settings().get("runtime");
    if (asked != null && !asked.equals(name)) {
      return "format '" + image.format() + "' boots on the local provider's '" + name + "' runtime, but"
          + " spec.provider.local.runtime is '" + asked + "'; set it to '" + name + "'";
    }
    return runtimes.get(name).unsupportedReason(image);
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

  /** What this host can boot: probed once, on first need, then cached for this provider's life. */
  HostCapabilities capabilities() {
    HostCapabilities c = capabilities;
    if (c == null) {
      synchronized (this) {
        if (capabilities == null) {
          capabilities = HostCapabilities.probe(host, stateDir.resolve("capabilities"), kvmDevice);
          log.info("host capabilities:\n{}", capabilities.table());
        }
        c = capabilities;
      }
    }
    return c;
  }

  /** The {@code doctor} table: each capability, and for each "no" the reason. */
  public String doctor() {
    return capabilities().table();
  }

  /** The {@code doctor} table of this host, probed afresh; {@code scratch} holds the trial-boot firmware. */
  public static String doctor(Path scratch) {
    return HostCapabilities.probe(HostCommands.system(), scratch, Path.of("/dev/kvm")).table();
  }

  /** The runtime that runs an instance, for metrics ({@code process}, {@code qemu}, {@code solo5}). */
  @Override
  public String runtime(FleetId fleet, String instanceId) {
    LocalFleet f = fleets.get(fleet.key());
    LocalFleet.Member m = f == null ? null : f.members.get(instanceId);
    return m == null ? name() : m.record.runtime();
  }

  @Override
  public FleetObservation observe(FleetId fleet) {
    return locked(fleet, () -> {
      LocalFleet f = fleets.get(fleet.key());
      return f == null ? FleetObservation.empty(fleet) : observation(f);
    });
  }

  @Override
  public FleetObservation realize(DesiredFleet desired) {
    for (DesiredFleet.Target target : desired.revisions().values()) {
      // a revision being scaled to zero may have lost its artifact; that must not block it
      String reason = target.replicas() == 0 ? null : unsupportedReason(target.image());
      if (reason != null) {
        throw new ProviderException(Reason.UNSUPPORTED_IMAGE, reason, false);
      }
    }
    return locked(desired.fleet(), () -> {
      LocalFleet f = fleets.computeIfAbsent(desired.fleet().key(), k -> create(desired.fleet()));
      desired.revisions().forEach((rev, target) -> f.images.put(rev, target.image()));
      forgetFailed(f);
      stop(f, extras(f, desired), true);
      desired.revisions().forEach((rev, target) -> {
        for (int have = f.ofRevision(rev).size(); have < target.replicas(); have++) {
          start(f, target.image());
        }
      });
      // images of revisions that are gone are no longer needed by replace
      f.images.keySet().removeIf(
          rev -> !desired.revisions().containsKey(rev) && f.ofRevision(rev).isEmpty());
      store.save(f.snapshot());
      return observation(f);
    });
  }

  @Override
  public void replace(FleetId fleet, Collection<String> instanceIds) {
    locked(fleet, () -> {
      LocalFleet f = fleets.get(fleet.key());
      if (f == null) {
        return null;
      }
      // ids already gone are skipped: a retried replace must not replace twice
      List<LocalFleet.Member> old =
          instanceIds.stream().distinct().map(f.members::get).filter(m -> m != null).toList();
      // replaced because unhealthy: its connections will not finish, so no drain
      stop(f, old, true, false);
      for (LocalFleet.Member m : old) {
        RevisionImage image = f.images.get(m.record.revision());
        if (image == null) {
          throw new ProviderException(Reason.UNKNOWN_REVISION,
              "no image recorded for revision " + m.record.revision() + " of " + fleet, false);
        }
        start(f, image);
      }
      return null;
    });
  }

  @Override
  public void updateReady(FleetId fleet, Set<String> readyInstanceIds) {
    locked(fleet, () -> {
      LocalFleet f = fleets.get(fleet.key());
      if (f != null) {
        f.setReady(readyInstanceIds);
      }
      return null;
    });
  }

  @Override
  public void delete(FleetId fleet) {
    unmanage(fleet, true);
  }

  @Override
  public void release(FleetId fleet) {
    unmanage(fleet, false);
  }

  /** Kills every instance of every fleet, keeping the fleets (and their endpoint ports). */
  public void stopAll() {
    for (String key : List.copyOf(fleets.keySet())) {
      LocalFleet f = fleets.get(key);
      if (f != null) {
        locked(f.id, () -> {
          stop(f, List.copyOf(f.members.values()), true);
          return null;
        });
      }
    }
  }

  /** Closes the endpoints but leaves instances running, for a later provider to adopt. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    for (LocalFleet f : fleets.values()) {
      locked(f.id, () -> {
        f.endpoint.close();
        return null;
      });
    }
    closed = true;
  }

  /** Where an instance's output goes. */
  public Path logFile(String instanceId) {
    return runtime.logFile(instanceId);
  }

  private <T> T locked(FleetId fleet, java.util.function.Supplier<T> action) {
    if (closed) {
      throw new IllegalStateException("local provider is closed");
    }
    ReentrantLock lock = locks.computeIfAbsent(fleet.key(), k -> new ReentrantLock());
    lock.lock();
    try {
      return action.get();
    } finally {
      lock.unlock();
    }
  }

  /** Forgets the fleet and closes its endpoint; its instances are stopped only when asked. */
  private void unmanage(FleetId fleet, boolean stopInstances) {
    locked(fleet, () -> {
      LocalFleet f = fleets.remove(fleet.key());
      if (f != null) {
        f.endpoint.close();
        ports.release(f.endpoint.port());
        if (stopInstances) {
          stop(f, List.copyOf(f.members.values()), true);
        } else {
          log.info("released fleet {}; its {} instance(s) keep running", fleet, f.members.size());
        }
      }
      store.delete(fleet);
      return null;
    });
  }

  private LocalFleet create(FleetId fleet) {
    LocalFleet f = new LocalFleet(fleet, openEndpoint(fleet, ports.allocate()));
    store.save(f.snapshot());
    return f;
  }

  private void adopt(FleetState state) {
    FleetId fleet = state.fleetId();
    ports.reserve(state.endpointPort());
    LocalFleet f = new LocalFleet(fleet, openEndpoint(fleet, state.endpointPort()));
    f.images.putAll(state.images());
    for (FleetState.Instance i : state.instances()) {
      Optional<ProcessHandle> process = runtime.adopt(i.pid(), i.processStart());
      InstanceRuntime owner = runtimes.getOrDefault(i.runtime(), runtime);
      if (process.isPresent()) {
        ports.reserve(i.port());
        f.members.put(i.id(), new LocalFleet.Member(i, process.get(), owner));
      } else {
        log.info("fleet {}: forgetting instance {}: pid {} no longer runs", fleet, i.id(), i.pid());
        owner.cleanUp(i.id());
      }
    }
    fleets.put(fleet.key(), f);
    store.save(f.snapshot());
    log.info("fleet {}: adopted {} of {} instance(s), endpoint {}",
        fleet, f.members.size(), state.instances().size(), f.endpoint.address());
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

  /** Failed instances leave the fleet so the next start replaces them; their logs stay. */
  private void forgetFailed(LocalFleet f) {
    List<LocalFleet.Member> failed = f.members.values().stream()
        .filter(m -> !m.process.isAlive()).toList();
    for (LocalFleet.Member m : failed) {
      log.info("fleet {}: instance {} exited; see {}", f.id, m.record.id(), logFile(m.record.id()));
    }
    stop(f, failed, false, false);
  }

  private static List<LocalFleet.Member> extras(LocalFleet f, DesiredFleet desired) {
    List<LocalFleet.Member> extras = new ArrayList<>();
    Set<String> revisions = new HashSet<>();
    f.members.values().forEach(m -> revisions.add(m.record.revision()));
    for (String rev : revisions) {
      DesiredFleet.Target target = desired.revisions().get(rev);
      int want = target == null ? 0 : target.replicas();
      List<LocalFleet.Member> have = new ArrayList<>(f.ofRevision(rev));
      have.forEach(LocalFleet.Member::state);
      have.sort(LocalFleet.STOP_FIRST);
      extras.addAll(have.subList(0, Math.max(0, have.size() - want)));
    }
    return extras;
  }

  /**
   * Stops members in parallel, then drops them from the state. The state is written only
   * after the processes are gone, so a crash midway leaves them recorded and adoptable.
   */
  private void stop(LocalFleet f, List<LocalFleet.Member> members, boolean dropLogs) {
    stop(f, members, dropLogs, true);
  }

  /** @param drain wait for proxied connections to finish first (not for instances that hang) */
  private void stop(LocalFleet f, List<LocalFleet.Member> members, boolean dropLogs, boolean drain) {
    if (members.isEmpty()) {
      return;
    }
    Set<String> ids = new HashSet<>();
    members.forEach(m -> ids.add(m.record.id()));
    f.unroute(ids);
    if (drain && !f.endpoint.awaitDrained(members.stream().map(LocalFleet.Member::socketAddress).toList(), DRAIN)) {
      log.info("fleet {}: connections to stopping instances did not finish within {}s; stopping anyway",
          f.id, DRAIN.toSeconds());
    }
    runtime.stop(members.stream().map(m -> m.process).toList());
    for (LocalFleet.Member m : members) {
      m.runtime.cleanUp(m.record.id());
      f.members.remove(m.record.id());
      ports.release(m.record.port());
      if (dropLogs) {
        deleteQuietly(logFile(m.record.id()));
      }
    }
    if (fleets.get(f.id.key()) == f) {
      store.save(f.snapshot());
    }
  }

  private void start(LocalFleet f, RevisionImage image) {
    String id = image.revision() + "-" + UUID.randomUUID().toString().substring(0, 8);
    // taken before the start, so boot latency (createdAt to first passing probe) includes it
    Instant createdAt = Instant.now();
    int port = ports.allocate();
    InstanceRuntime owner = runtimes.get(runtimeName(image.format()));
    ProcessRuntime.Started started;
    try {
      started = owner.start(id, image, port);
    } catch (RuntimeException e) {
      ports.release(port);
      throw e;
    }
    FleetState.Instance record = new FleetState.Instance(id, image.revision(),
        started.handle().pid(), started.startTime(), port,
        UnixArtifacts.path(image).toString(), createdAt, owner.name());
    f.members.put(id, new LocalFleet.Member(record, started.handle(), owner));
    // saved per start, so a crash right after leaves at most one process unrecorded
    store.save(f.snapshot());
  }

  private FleetObservation observation(LocalFleet f) {
    List<InstanceView> views = f.members.values().stream()
        .map(LocalFleet.Member::view)
        .sorted(Comparator.comparing(InstanceView::createdAt))
        .toList();
    return new FleetObservation(f.id, views, Optional.of(f.endpoint.address()));
  }

  private static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException e) {
      log.debug("cannot delete {}: {}", p, e.toString());
    }
  }
}
