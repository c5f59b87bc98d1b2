package io.dustcloud.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The operator ({@code dustcloud run}, i.e. {@link io.dustcloud.wiring.ClusterMode}) in a
 * separate JVM on this JVM's class path, configured by environment variables, so a test can
 * {@code kill -9} it. Its output is appended to {@code log}.
 */
public final class OperatorProcess implements AutoCloseable {
  private final Process process;
  private final Path log;

  private OperatorProcess(Process process, Path log) {
    this.process = process;
    this.log = log;
  }

  public static OperatorProcess start(Map<String, String> env, Path log) {
    return start(env, log, List.of("-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
  }

  public static OperatorProcess start(Map<String, String> env, Path log, List<String> jvmOptions) {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new java.util.ArrayList<>(List.of(java));
    command.addAll(jvmOptions);
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.dustcloud.wiring.ClusterMode"));
    ProcessBuilder pb = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    pb.environment().keySet().removeIf(k -> k.startsWith("DUSTCLOUD_") || k.startsWith("KUBE"));
    // the dev API server speaks HTTP/1.1 on cleartext
    pb.environment().put("KUBERNETES_HTTP2_DISABLE", "true");
    pb.environment().putAll(env);
    try {
      return new OperatorProcess(pb.start(), log);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public long pid() {
    return process.pid();
  }

  /** CPU time the operator JVM used so far (user + system). */
  public java.time.Duration cpu() {
    return process.info().totalCpuDuration().orElse(java.time.Duration.ZERO);
  }

  /** The exit code once the JVM exited within {@code timeout}, else null. */
  public Integer awaitExit(java.time.Duration timeout) {
    try {
      return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /** The operator JVM's thread count now (from /proc; -1 where there is none). */
  public long threads() {
    try (var tasks = Files.list(Path.of("/proc", Long.toString(process.pid()), "task"))) {
      return tasks.count();
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** SIGKILL, no shutdown hook runs; waits until the JVM is gone. Its children (instances) survive. */
  public void kill9() {
    process.destroyForcibly();
    try {
      process.waitFor(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The last {@code lines} lines of the operator's log, for failure messages. */
  public String tail(int lines) {
    return tail(log, lines);
  }

  public static String tail(Path log, int lines) {
    try {
      List<String> all = Files.readAllLines(log);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      kill9();
    }
  }

  /** Processes anywhere on the host whose command line contains {@code marker} (survive a killed parent). */
  public static List<ProcessHandle> processesWith(String marker) {
    return ProcessHandle.allProcesses()
        .filter(ProcessHandle::isAlive)
        .filter(p -> p.info().commandLine().map(c -> c.contains(marker)).orElse(false))
        .toList();
  }

  /** Kills every process whose command line contains {@code marker}: nothing may outlive a test. */
  public static void killAll(String marker) {
    List<ProcessHandle> found = processesWith(marker);
    found.forEach(ProcessHandle::destroyForcibly);
    found.forEach(h -> h.onExit().join());
  }
}
