package io.dustcloud.provider.local;

import io.dustcloud.provider.FleetId;
import io.dustcloud.provider.InstanceState;
import io.dustcloud.provider.InstanceView;
import io.dustcloud.provider.RevisionImage;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The in-memory side of one fleet; every access happens under the provider's per-fleet lock,
 * except reading a member's immutable fields (record, process) while it drains.
 */
final class LocalFleet {

  /**
   * An instance with its live process; {@code listening} latches once it answered on its port.
   * {@code stopping} is set, under the lock, when a stop takes it out of routing: from then on it
   * observes as {@link InstanceState#STOPPING}, counts for no revision and is never chosen to
   * be stopped again; it leaves {@code members} when its process is gone.
   */
  static final class Member {
    final FleetState.Instance record;
    final ProcessHandle process;
    final InstanceRuntime runtime;
    boolean listening;
    volatile boolean stopping;

    Member(FleetState.Instance record, ProcessHandle process, InstanceRuntime runtime) {
      this.record = record;
      this.process = process;
      this.runtime = runtime;
    }

    InstanceState state() {
      if (stopping) {
        return InstanceState.STOPPING;
      }
      if (!process.isAlive()) {
        return InstanceState.FAILED;
      }
      if (!listening) {
        listening = runtime.answers(record.port());
      }
      return listening ? InstanceState.RUNNING : InstanceState.STARTING;
    }

    InstanceView view() {
      return new InstanceView(record.id(), record.revision(), address(record.port()),
          state(), record.createdAt());
    }

    InetSocketAddress socketAddress() {
      return new InetSocketAddress(PortAllocator.LOOPBACK, record.port());
    }
  }

  /**
   * Which extra instance to stop first: not yet listening, then the newest. Call {@link
   * Member#state()} before sorting so {@code listening} is current.
   */
  static final Comparator<Member> STOP_FIRST =
      Comparator.<Member, Boolean>comparing(m -> m.listening)
          .thenComparing(m -> m.record.createdAt(), Comparator.reverseOrder());

  final FleetId id;
  final FleetEndpoint endpoint;
  final Map<String, RevisionImage> images = new LinkedHashMap<>();
  final Map<String, Member> members = new LinkedHashMap<>();
  /** Ids of instances being started, recorded before their process exists (see {@link FleetState#starting}). */
  final Set<String> starting = new java.util.LinkedHashSet<>();
  /** Ids of replaced instances whose logs are kept, oldest first, per revision (in memory: see {@link #keepLog}). */
  private final Map<String, ArrayDeque<String>> keptLogs = new HashMap<>();
  private final Set<String> ready = new HashSet<>();

  LocalFleet(FleetId id, FleetEndpoint endpoint) {
    this.id = id;
    this.endpoint = endpoint;
  }

  static String address(int port) {
    return PortAllocator.LOOPBACK.getHostAddress() + ":" + port;
  }

  /** Members of {@code revision}, stopping ones included. */
  List<Member> ofRevision(String revision) {
    return members.values().stream().filter(m -> m.record.revision().equals(revision)).toList();
  }

  /** Members of {@code revision} that are not being stopped: what counts towards its desired count. */
  List<Member> serving(String revision) {
    return ofRevision(revision).stream().filter(m -> !m.stopping).toList();
  }

  /** Members that are not being stopped. */
  List<Member> serving() {
    return members.values().stream().filter(m -> !m.stopping).toList();
  }

  /**
   * Routes the endpoint to the named members; ids it does not hold, and members being stopped
   * (a readiness update that raced their stop), are ignored.
   */
  void setReady(Set<String> ids) {
    ready.clear();
    ids.stream().filter(id -> members.containsKey(id) && !members.get(id).stopping).forEach(ready::add);
    endpoint.setBackends(members.values().stream()
        .filter(m -> ready.contains(m.record.id()))
        .map(Member::socketAddress)
        .toList());
  }

  /** Takes members out of rotation before they are stopped, so no new connection reaches them. */
  void unroute(Set<String> ids) {
    Set<String> still = new HashSet<>(ready);
    still.removeAll(ids);
    setReady(still);
  }

  /**
   * Keeps the log of a replaced instance; returns the ids whose logs are no longer kept (the
   * oldest beyond {@code keep} of its revision), to be deleted. Only this operator's life is
   * remembered: logs of instances replaced before a restart are not tracked.
   */
  List<String> keepLog(String revision, String id, int keep) {
    ArrayDeque<String> kept = keptLogs.computeIfAbsent(revision, r -> new ArrayDeque<>());
    kept.addLast(id);
    List<String> dropped = new ArrayList<>();
    while (kept.size() > keep) {
      dropped.add(kept.removeFirst());
    }
    return dropped;
  }

  boolean keeps(String id) {
    return keptLogs.values().stream().anyMatch(k -> k.contains(id));
  }

  /** Every kept log's id, forgotten: the fleet is going. */
  List<String> dropKeptLogs() {
    List<String> all = keptLogs.values().stream().flatMap(ArrayDeque::stream).toList();
    keptLogs.clear();
    return all;
  }

  FleetState snapshot() {
    return new FleetState(id.namespace(), id.name(), endpoint.port(), images,
        members.values().stream().map(m -> m.record).toList(), List.copyOf(starting));
  }
}
