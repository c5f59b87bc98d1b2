package io.dustcloud.build;

import io.dustcloud.core.Reason;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Builds local source with {@code make} in the background, one build per key at a time, and
 * stores the artifact by content. The reconciler polls {@link #state}; a build never blocks a
 * reconcile thread.
 */
public final class LocalBuilder implements AutoCloseable {
  private static final int LOG_TAIL_LINES = 20;

  private final LocalArtifactStore store;
  private final Path logDir;
  private final Duration timeout;
  private final ExecutorService executor;
  /** First retry of a failed build; doubles per failure up to {@link #MAX_RETRY_DELAY}. */
  static final Duration FIRST_RETRY_DELAY = Duration.ofSeconds(30);
  static final Duration MAX_RETRY_DELAY = Duration.ofMinutes(10);

  private final Map<String, BuildResult> builds = new ConcurrentHashMap<>();
  private final Map<String, Failure> failures = new ConcurrentHashMap<>();
  private final Clock clock;

  private record Failure(int attempts, Instant retryAt) {}

  /** Running make processes by build key, killed on close so no build outlives the operator. */
  private final Map<String, Process> running = new ConcurrentHashMap<>();
  /** Builds cancelled while running: their end is neither a result nor a failure to back off from. */
  private final java.util.Set<String> cancelled = ConcurrentHashMap.newKeySet();

  private final BuildIsolation isolation;

  public LocalBuilder(LocalArtifactStore store, Path logDir, Duration timeout, Clock clock) {
    this(store, logDir, timeout, clock, BuildIsolation.forCurrentUser());
  }

  /** @param isolation who make runs as, and where (see {@link BuildIsolation}) */
  public LocalBuilder(LocalArtifactStore store, Path logDir, Duration timeout, Clock clock, BuildIsolation isolation) {
    this.isolation = isolation;
    this.store = store;
    this.logDir = logDir;
    this.timeout = timeout;
    this.clock = clock;
    this.executor =
        Executors.newFixedThreadPool(
            2,
            r -> {
              Thread t = new Thread(r, "dustcloud-local-build");
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * The state of the build named {@code key}; starts it when it has not run in this process.
   * A failed build is tried again after a backoff (30 s, doubling up to 10 min): local source
   * can be fixed in place, without a spec change.
   */
  public BuildResult state(String key, Path sourceDir, String artifact) {
    return builds.compute(
        key,
        (k, current) -> {
          if (current != null && !(current instanceof BuildResult.Failed && retryDue(k))) {
            return current;
          }
          executor.submit(() -> finish(k, run(k, sourceDir, artifact)));
          return new BuildResult.Running("make -C " + sourceDir + " is running");
        });
  }

  private boolean retryDue(String key) {
    Failure f = failures.get(key);
    return f != null && !clock.instant().isBefore(f.retryAt());
  }

  /**
   * Stops the build of {@code key} if it runs, make and everything it started, and forgets it:
   * the next {@link #state} starts it afresh. True when a build was running.
   */
  public boolean cancel(String key) {
    if (!(builds.get(key) instanceof BuildResult.Running)) {
      return false;
    }
    // marked first: a build whose make is not started yet is killed as soon as it starts
    cancelled.add(key);
    Process p = running.get(key);
    if (p != null) {
      kill(p);
    }
    return true;
  }

  private static void kill(Process p) {
    p.descendants().forEach(ProcessHandle::destroyForcibly);
    p.destroyForcibly();
  }

  private void finish(String key, BuildResult result) {
    if (cancelled.remove(key)) {
      builds.remove(key);
      return;
    }
    if (result instanceof BuildResult.Failed) {
      Failure previous = failures.get(key);
      int attempts = previous == null ? 1 : previous.attempts() + 1;
      long delay = Math.min(MAX_RETRY_DELAY.toSeconds(), FIRST_RETRY_DELAY.toSeconds() << Math.min(attempts - 1, 10));
      failures.put(key, new Failure(attempts, clock.instant().plusSeconds(delay)));
    } else {
      failures.remove(key);
    }
    builds.put(key, result);
  }

  private BuildResult run(String key, Path sourceDir, String artifact) {
    try (BuildIsolation.Workspace workspace = isolation.open(sourceDir)) {
      Files.createDirectories(logDir);
      Path log = logDir.resolve(key + ".log");
      Process p = workspace.make().redirectErrorStream(true).redirectOutput(log.toFile()).start();
      running.put(key, p);
      if (cancelled.contains(key)) {
        kill(p);
      }
      try {
        return finishBuild(key, p, log, workspace, artifact);
      } finally {
        running.remove(key, p);
      }
    } catch (IOException | RuntimeException e) {
      return new BuildResult.Failed(Reason.BUILD_FAILED, "build could not run: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new BuildResult.Failed(Reason.BUILD_FAILED, "build interrupted");
    }
  }

  private BuildResult finishBuild(String key, Process p, Path log, BuildIsolation.Workspace workspace, String artifact)
      throws InterruptedException, IOException {
    if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      kill(p);
      return new BuildResult.Failed(
          Reason.BUILD_TIMED_OUT, "make did not finish within " + timeout.toSeconds() + "s; log tail:\n" + tail(log));
    }
    if (p.exitValue() != 0) {
      return new BuildResult.Failed(
          Reason.BUILD_FAILED, "make exited with " + p.exitValue() + "; log tail:\n" + tail(log));
    }
    Path dir = workspace.dir;
    Path built = dir.resolve(artifact).normalize();
    if (!built.startsWith(dir) || !Files.exists(built, LinkOption.NOFOLLOW_LINKS)) {
      return new BuildResult.Failed(
          Reason.BUILD_FAILED, "make succeeded but did not produce " + artifact + " in " + dir);
    }
    // the file itself, where it is: a link (even to a file in the tree) or a directory on the way
    // that leads out would have the operator store and run something the source does not contain
    if (!Files.isRegularFile(built, LinkOption.NOFOLLOW_LINKS)
        || !built.toRealPath().equals(dir.toRealPath().resolve(dir.relativize(built)))) {
      return new BuildResult.Failed(Reason.UNTRUSTED_PATH, "make produced " + artifact + " in " + dir
          + " as a link or behind a link, not a regular file in the source directory; refusing to store it");
    }
    LocalArtifactStore.Stored stored = workspace.store(built, store);
    store.remember(key, stored.sha256());
    return new BuildResult.Succeeded(stored.path(), stored.sha256());
  }

  private static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  @Override
  public void close() {
    executor.shutdownNow();
    running.values().forEach(LocalBuilder::kill);
  }
}
