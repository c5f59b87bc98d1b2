package io.dustcloud.provider.local;

import io.dustcloud.core.Reason;
import io.dustcloud.provider.ProviderException;
import io.dustcloud.provider.RevisionImage;
import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns instance processes for every runtime (start, adopt by pid, start time and mark, stop), and
 * is itself the {@code process} runtime: unix-target unikernels as child processes.
 */
final class ProcessRuntime implements InstanceRuntime {
  private static final Logger log = LoggerFactory.getLogger(ProcessRuntime.class);
  static final String PORT_TOKEN = "{port}";
  private static final Duration KILL_WAIT = Duration.ofSeconds(2);
  private static final int PROBE_TIMEOUT_MS = 200;
  /**
   * The OS start time of a pid is derived from the boot time, which the kernel recomputes
   * when the wall clock is stepped; a small tolerance keeps an NTP step from orphaning a
   * live instance, and pid reuse within it is not realistic.
   */
  private static final Duration START_TOLERANCE = Duration.ofSeconds(2);

  private final Path logDir;
  private final Duration grace;
  private final UnixArtifacts artifacts;

  ProcessRuntime(Path logDir, Duration grace, UnixArtifacts artifacts) {
    this.logDir = logDir;
    this.grace = grace;
    this.artifacts = artifacts;
    PrivateFiles.directory(logDir);
  }

  Path logFile(String instanceId) {
    return logDir.resolve(instanceId + ".log");
  }

  /** A started process, with the start time that identifies it across pid reuse. */
  record Started(ProcessHandle handle, Instant startTime) {}

  @Override
  public String name() {
    return UnixArtifacts.RUNTIME;
  }

  @Override
  public String unsupportedReason(RevisionImage image) {
    return artifacts.unsupportedReason(image);
  }

  @Override
  public boolean answers(int port) {
    return accepts(port);
  }

  @Override
  public Started start(String instanceId, RevisionImage image, int port) {
    Path artifact = UnixArtifacts.path(image);
    List<String> command = new ArrayList<>();
    command.add(artifact.toString());
    for (String arg : image.bootArgs()) {
      command.add(arg.replace(PORT_TOKEN, Integer.toString(port)));
    }
    return launch(instanceId, image.revision(), command, Map.of(
        "PORT", Integer.toString(port),
        "LISTEN_ADDR", PortAllocator.LOOPBACK.getHostAddress()), port);
  }

  /** Starts {@code command} with its output appended to the instance log; any runtime's process. */
  Started launch(String instanceId, String revision, List<String> command, Map<String, String> env, int port) {
    ProcessBuilder pb = new ProcessBuilder(command)
        // the log directory, not the operator's: a unikernel writing files stays contained
        .directory(logDir.toFile())
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile(instanceId).toFile()))
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    pb.environment().putAll(env);
    // the mark adoption checks: a pid and start time alone could be another program's (see InstanceMarker)
    pb.environment().put(InstanceMarker.VARIABLE, instanceId);
    try {
      // 0600 before the process writes to it: a log carries whatever the unikernel prints
      PrivateFiles.file(logFile(instanceId));
      Process process = pb.start();
      ProcessHandle handle = process.toHandle();
      // A process that already exited has no start time; it shows as FAILED either way.
      Instant started = handle.info().startInstant().orElse(Instant.EPOCH);
      log.info("started instance {} (revision {}) pid {} on port {}: {}",
          instanceId, revision, handle.pid(), port, command.get(0));
      return new Started(handle, started);
    } catch (IOException e) {
      throw new ProviderException(Reason.START_FAILED,
          "cannot start " + command.get(0) + " for instance " + instanceId + ": " + e.getMessage(),
          true, e);
    }
  }

  /**
   * The live process that is the instance {@code instanceId} recorded as {@code pid} started at
   * {@code startTime}, if it still runs: the pid, its start time and the instance's mark must all
   * agree. Anything else is another program that reused the pid, and is never signalled.
   */
  Optional<ProcessHandle> adopt(String instanceId, long pid, Instant startTime) {
    if (startTime == null) {
      return Optional.empty(); // state of the first operators: the pid alone proves nothing
    }
    Optional<ProcessHandle> process = ProcessHandle.of(pid)
        .filter(ProcessHandle::isAlive)
        .filter(h -> h.info().startInstant()
            .map(s -> Duration.between(s, startTime).abs().compareTo(START_TOLERANCE) <= 0)
            .orElse(false));
    if (process.isPresent() && !InstanceMarker.marks(process.get(), instanceId)) {
      log.warn("pid {} started when instance {} did but is not marked as it (another user's, or pid reuse);"
          + " leaving it alone", pid, instanceId);
      return Optional.empty();
    }
    return process;
  }

  /** Whether something accepts TCP connections on the loopback port. */
  static boolean accepts(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(PortAllocator.LOOPBACK, port), PROBE_TIMEOUT_MS);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * SIGTERM all, then SIGKILL whatever outlived the grace period. All processes share one
   * grace period, so stopping many costs no more than stopping one.
   */
  void stop(Collection<ProcessHandle> handles) {
    if (handles.isEmpty()) {
      return;
    }
    // helpers an instance process started (a runtime's forwarders) must not outlive it
    List<ProcessHandle> descendants = handles.stream().flatMap(ProcessHandle::descendants).toList();
    handles.forEach(ProcessHandle::destroy);
    List<ProcessHandle> stubborn = awaitExit(handles, grace);
    descendants.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    if (!stubborn.isEmpty()) {
      stubborn.forEach(h -> log.warn("pid {} ignored SIGTERM for {}, killing it", h.pid(), grace));
      stubborn.forEach(ProcessHandle::destroyForcibly);
      awaitExit(stubborn, KILL_WAIT)
          .forEach(h -> log.error("pid {} survived SIGKILL for {}", h.pid(), KILL_WAIT));
    }
  }

  private static List<ProcessHandle> awaitExit(Collection<ProcessHandle> handles, Duration timeout) {
    CompletableFuture<?>[] exits =
        handles.stream().map(ProcessHandle::onExit).toArray(CompletableFuture[]::new);
    try {
      CompletableFuture.allOf(exits).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      // the survivors are reported below
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException("onExit never fails", e);
    }
    return handles.stream().filter(ProcessHandle::isAlive).toList();
  }
}
