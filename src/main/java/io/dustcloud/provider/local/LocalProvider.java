package io.dustcloud.provider.local;

import io.dustcloud.core.Reason;
import io.dustcloud.provider.DesiredFleet;
import io.dustcloud.provider.FleetId;
import io.dustcloud.provider.FleetObservation;
import io.dustcloud.provider.FleetProvider;
import io.dustcloud.provider.InstanceView;
import io.dustcloud.provider.ProviderException;
import io.dustcloud.provider.RevisionImage;
import io.dustcloud.provider.Unsupported;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
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
 * <p>State lives in {@code stateDir} ({@code fleets/<namespace>.<name>_<hash>.json}, see {@link FleetStateStore}; instance logs
 * in {@code instances/<id>.log}). A provider created over the state of a previous one, even
 * one that was killed, adopts the processes that still run and re-binds the endpoints.
 *
 * <p>A scale-down or rollout takes the instances it stops out of routing under the fleet's
 * lock, then waits for their connections to drain and for their processes to exit without it
 * (they observe as {@code STOPPING} meanwhile), and drops them from the state under it again.
 * Starting, adopting and stopping instances is {@link LocalInstances}.
 */
public final class LocalProvider implements FleetProvider {
  private static final Logger log = LoggerFactory.getLogger(LocalProvider.class);
  public static final Duration DEFAULT_STOP_GRACE = Duration.ofSeconds(2);

  private final FleetStateStore store;
  private final ProcessRuntime runtime;
  private final LocalInstances instances;
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
    this(stateDir, stopGrace, host, kvmDevice, LocalInstances.DRAIN);
  }

  /** @param drain how long connections to an instance leaving the rotation may take to finish */
  LocalProvider(Path stateDir, Duration stopGrace, HostCommands host, Path kvmDevice, Duration drain) {
    Path dir = privateStateDir(stateDir);
    this.stateDir = dir;
    this.host = host;
    this.kvmDevice = kvmDevice;
    this.store = new FleetStateStore(dir);
    ArtifactDigests digests = new ArtifactDigests();
    this.runtime = new ProcessRuntime(dir.resolve("instances"), stopGrace, new UnixArtifacts(digests));
    Map<String, InstanceRuntime> runtimes = Map.of(
        runtime.name(), runtime,
        QemuRuntime.NAME, new QemuRuntime(runtime, new VmArtifacts(dir.resolve("vm-images"), digests), this::capabilities,
            new KvmVerdicts(dir.resolve("capabilities"))),
        Solo5Runtime.NAME, new Solo5Runtime(runtime, host, this::capabilities, digests, dir.resolve("sockets")));
    this.instances = new LocalInstances(runtime, runtimes, ports, store, drain, f -> fleets.get(f.id.key()) == f);
    for (FleetState state : store.loadAll()) {
      LocalFleet f = instances.adopt(state);
      fleets.put(f.id.key(), f);
    }
  }

  /**
   * Makes {@code stateDir} private to the user running the operator (0700, tightened if it was
   * looser, refused if it is shared like {@code /tmp} or another user's): dev mode calls it on its
   * whole state tree, which also holds the artifact store and build logs.
   *
   * @throws java.io.UncheckedIOException with the reason when it cannot be made private
   */
  public static Path privateStateDir(Path stateDir) {
    return PrivateFiles.root(stateDir.toAbsolutePath().normalize());
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
    Unsupported u = unsupported(image);
    return u == null ? null : u.message();
  }

  @Override
  public Unsupported unsupported(RevisionImage image) {
    String name = LocalInstances.runtimeName(image.format());
    if (name == null) {
      return Unsupported.of("the local provider cannot boot artifacts of format '" + image.format() + "'");
    }
    String asked;
    try {
      asked = LocalSettings.of(image.settings()).runtime();
    } catch (ProviderException e) {
      return Unsupported.of(e.getMessage());
    }
    if (asked != null && !asked.equals(name)) {
      return Unsupported.of("format '" + image.format() + "' boots on the local provider's '" + name + "' runtime, but"
          + " spec.provider.local.runtime is '" + asked + "'; set it to '" + name + "'");
    }
    return instances.runtime(name).unsupported(image);
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

  /**
   * Under the lock: takes the extras out of routing and starts what is missing (instances being
   * stopped, by this call or a concurrent one, count for nothing; failed ones count, and stay
   * until the supervisor replaces them, on its crash-loop backoff).
   * Then, without the lock, drains and stops the extras, and drops them under it again.
   */
  @Override
  public FleetObservation realize(DesiredFleet desired) {
    for (DesiredFleet.Target target : desired.revisions().values()) {
      LocalSettings.of(target.image().settings());
      // a revision being scaled to zero may have lost its artifact; that must not block it
      String reason = target.replicas() == 0 ? null : unsupportedReason(target.image());
      if (reason != null) {
        throw new ProviderException(Reason.UNSUPPORTED_IMAGE, reason, false);
      }
    }
    FleetId fleet = desired.fleet();
    List<Leaving> leaving = new ArrayList<>(1);
    try {
      locked(fleet, () -> {
        LocalFleet f = fleets.computeIfAbsent(fleet.key(), k -> instances.create(fleet));
        desired.revisions().forEach((rev, target) -> f.images.put(rev, target.image()));
        leaving.add(new Leaving(f, instances.leave(f, extras(f, desired))));
        desired.revisions().forEach((rev, target) -> {
          for (int have = f.serving(rev).size(); have < target.replicas(); have++) {
            instances.start(f, target.image());
          }
        });
        // images of revisions that are gone are no longer needed by replace
        f.images.keySet().removeIf(
            rev -> !desired.revisions().containsKey(rev) && f.ofRevision(rev).isEmpty());
        store.save(f.snapshot());
        return null;
      });
    } finally {
      // even when a start failed: the extras are out of routing and must not stay half-stopped
      leaving.forEach(l -> stop(l.fleet(), l.members()));
    }
    return observe(fleet);
  }

  /** Members taken out of routing under the lock, to be drained and stopped without it. */
  private record Leaving(LocalFleet fleet, List<LocalFleet.Member> members) {}

  /** Drains and stops members already taken out of routing ({@link LocalInstances#leave}), outside the lock. */
  private void stop(LocalFleet f, List<LocalFleet.Member> members) {
    if (members.isEmpty()) {
      return;
    }
    instances.drainAndKill(f, members, true);
    locked(f.id, () -> {
      instances.forget(f, members, true);
      return null;
    });
  }

  @Override
  public void replace(FleetId fleet, Collection<String> instanceIds) {
    locked(fleet, () -> {
      LocalFleet f = fleets.get(fleet.key());
      if (f == null) {
        return null;
      }
      // ids already gone or being stopped are skipped: a retried replace must not replace twice
      List<LocalFleet.Member> old = instanceIds.stream().distinct().map(f.members::get)
          .filter(m -> m != null && !m.stopping).toList();
      // replaced because unhealthy: its connections will not finish, so no drain; its log is
      // kept (a few per revision) for whoever looks into why
      instances.stopNow(f, old, false, false);
      for (LocalFleet.Member m : old) {
        RevisionImage image = f.images.get(m.record.revision());
        if (image == null) {
          throw new ProviderException(Reason.UNKNOWN_REVISION,
              "no image recorded for revision " + m.record.revision() + " of " + fleet, false);
        }
        instances.start(f, image);
      }
      return null;
    });
  }

  /** The fleet endpoint proxies new connections to the instances {@link #updateReady} names, and no others. */
  @Override
  public boolean routesOnlyToNamedInstances() {
    return true;
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

  /**
   * Kills every instance of every fleet, keeping the fleets (and their endpoint ports). Also
   * after {@link #close}, without draining then: dev mode closes its operator first, then stops
   * what it started.
   */
  public void stopAll() {
    boolean drain = !closed;
    for (String key : List.copyOf(fleets.keySet())) {
      LocalFleet f = fleets.get(key);
      if (f != null) {
        List<LocalFleet.Member> leaving = underLock(f.id, () -> instances.leave(f, f.serving()));
        instances.drainAndKill(f, leaving, drain);
        underLock(f.id, () -> {
          instances.forget(f, leaving, true);
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

  /** The last lines of an instance's log; empty for an instance this provider does not know. */
  @Override
  public List<String> consoleTail(FleetId fleet, String instanceId, int lines, int bytes) {
    LocalFleet f = fleets.get(fleet.key());
    boolean known = f != null && underLock(fleet, () -> f.members.containsKey(instanceId) || f.keeps(instanceId));
    return known ? instances.logTail(instanceId, lines, bytes) : List.of();
  }

  /** Where an instance's output goes. */
  public Path logFile(String instanceId) {
    return instances.logFile(instanceId);
  }

  private <T> T locked(FleetId fleet, java.util.function.Supplier<T> action) {
    if (closed) {
      throw new IllegalStateException("local provider is closed");
    }
    return underLock(fleet, action);
  }

  private <T> T underLock(FleetId fleet, java.util.function.Supplier<T> action) {
    ReentrantLock lock = locks.computeIfAbsent(fleet.key(), k -> new ReentrantLock());
    lock.lock();
    try {
      return action.get();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Forgets the fleet and closes its endpoint; its instances, those being stopped by a
   * concurrent realize included, are stopped only when asked.
   */
  private void unmanage(FleetId fleet, boolean stopInstances) {
    locked(fleet, () -> {
      LocalFleet f = fleets.remove(fleet.key());
      if (f != null) {
        f.endpoint.close();
        ports.release(f.endpoint.port());
        if (stopInstances) {
          instances.stopNow(f, List.copyOf(f.members.values()), true, true);
          instances.dropKeptLogs(f);
        } else {
          log.info("released fleet {}; its {} instance(s) keep running", fleet, f.members.size());
        }
      }
      store.delete(fleet);
      return null;
    });
  }

  /** Per revision, the serving members beyond its desired count, those to stop first first. */
  private static List<LocalFleet.Member> extras(LocalFleet f, DesiredFleet desired) {
    List<LocalFleet.Member> extras = new ArrayList<>();
    Set<String> revisions = new HashSet<>();
    f.serving().forEach(m -> revisions.add(m.record.revision()));
    for (String rev : revisions) {
      DesiredFleet.Target target = desired.revisions().get(rev);
      int want = target == null ? 0 : target.replicas();
      List<LocalFleet.Member> have = new ArrayList<>(f.serving(rev));
      have.forEach(LocalFleet.Member::state);
      have.sort(LocalFleet.STOP_FIRST);
      extras.addAll(have.subList(0, Math.max(0, have.size() - want)));
    }
    return extras;
  }

  private FleetObservation observation(LocalFleet f) {
    List<InstanceView> views = f.members.values().stream()
        .map(LocalFleet.Member::view)
        .sorted(Comparator.comparing(InstanceView::createdAt))
        .toList();
    return new FleetObservation(f.id, views, Optional.of(f.endpoint.address()));
  }
}
