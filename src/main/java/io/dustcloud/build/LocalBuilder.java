package io.dustcloud.build;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
  public static final String REASON_FAILED = "BuildFailed";
  public static final String REASON_TIMED_OUT = "BuildTimedOut";
  private static final int LOG_TAIL_LINES = 20;

  private final LocalArtifactStore store;
  private final Path logDir;
  private final Duration timeout;
  private final ExecutorService executor;
  private final Map<String, BuildResult> builds = new ConcurrentHashMap<>();

  public LocalBuilder(LocalArtifactStore store, Path logDir, Duration timeout) {
    this.store = store;
    this.logDir = logDir;
    this.timeout = timeout;
    this.executor =
        Executors.newFixedThreadPool(
            2,
            r -> {
              Thread t = new Thread(r, "dustcloud-local-build");
              t.setDaemon(true);
              return t;
            });
  }

  /** The state of the build named {@code key}; starts it when it has not run in this process. */
  public BuildResult state(String key, Path sourceDir, String artifact) {
    return builds.computeIfAbsent(
        key,
        k -> {
          executor.submit(() -> builds.put(k, run(k, sourceDir, artifact)));
          return new BuildResult.Running("make -C " + sourceDir + " is running");
        });
  }

  /** Forgets a finished build so the next {@link #state} call builds again (after a spec fix). */
  public void forget(String key) {
    builds.computeIfPresent(key, (k, v) -> v instanceof BuildResult.Running ? v : null);
  }

  private BuildResult run(String key, Path sourceDir, String artifact) {
    try {
      Files.createDirectories(logDir);
      Path log = logDir.resolve(key + ".log");
      Process p =
          new ProcessBuilder(List.of("make", "-C", sourceDir.toString()))
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        return new BuildResult.Failed(
            REASON_TIMED_OUT, "make did not finish within " + timeout.toSeconds() + "s; log tail:\n" + tail(log));
      }
      if (p.exitValue() != 0) {
        return new BuildResult.Failed(
            REASON_FAILED, "make exited with " + p.exitValue() + "; log tail:\n" + tail(log));
      }
      Path built = sourceDir.resolve(artifact).normalize();
      if (!built.startsWith(sourceDir) || !Files.isRegularFile(built)) {
        return new BuildResult.Failed(
            REASON_FAILED, "make succeeded but did not produce " + artifact + " in " + sourceDir);
      }
      LocalArtifactStore.Stored stored = store.put(built);
      return new BuildResult.Succeeded(stored.path(), stored.sha256());
    } catch (IOException | RuntimeException e) {
      return new BuildResult.Failed(REASON_FAILED, "build could not run: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new BuildResult.Failed(REASON_FAILED, "build interrupted");
    }
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
  }
}
