package io.dustcloud.provider.local;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The host side effects capability probes and the Solo5 runtime need: finding a program
 * on {@code PATH} and running a short command. An interface so tests can simulate a host
 * without QEMU or Solo5 and check the exact commands that would run.
 */
interface HostCommands {

  /** The executable {@code name} on this host's {@code PATH}, if any. */
  Optional<Path> which(String name);

  /** Runs {@code command} to completion (killed after {@code timeout}); never throws for a failing command. */
  Result run(List<String> command, Duration timeout);

  /** Exit code (-1: could not start or timed out) and the combined output. */
  record Result(int exitCode, String output) {
    boolean ok() {
      return exitCode == 0;
    }

    /** The last non-empty output line: what a "no" in the doctor table quotes. */
    String lastLine() {
      String[] lines = output.strip().split("\n");
      return lines.length == 0 ? "" : lines[lines.length - 1].strip();
    }
  }

  /** This host, with {@code PATH} from the environment. */
  static HostCommands system() {
    return new OnPath(System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin"));
  }

  /** Programs are looked up on {@code path} (a {@code PATH}-style list) and run with it. */
  static HostCommands onPath(String path) {
    return new OnPath(path);
  }

  final class OnPath implements HostCommands {
    private final String path;

    OnPath(String path) {
      this.path = path;
    }

    @Override
    public Optional<Path> which(String name) {
      for (String dir : path.split(File.pathSeparator)) {
        if (dir.isEmpty()) {
          continue;
        }
        Path candidate = Path.of(dir, name);
        if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
          return Optional.of(candidate);
        }
      }
      return Optional.empty();
    }

    @Override
    public Result run(List<String> command, Duration timeout) {
      // resolve through our PATH, not the JVM's, so a PATH override hides programs for real
      List<String> resolved = new java.util.ArrayList<>(command);
      if (!command.get(0).contains("/")) {
        Optional<Path> exe = which(command.get(0));
        if (exe.isEmpty()) {
          return new Result(-1, command.get(0) + ": not found on PATH");
        }
        resolved.set(0, exe.get().toString());
      }
      try {
        ProcessBuilder pb = new ProcessBuilder(resolved).redirectErrorStream(true)
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().put("PATH", path);
        Process p = pb.start();
        // output is read on its own thread: a chatty command must not block on a full pipe
        var out = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
          try {
            return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
          } catch (IOException e) {
            return "";
          }
        });
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
          p.descendants().forEach(ProcessHandle::destroyForcibly);
          p.destroyForcibly().waitFor();
          return new Result(-1, out.getNow("") + "\ntimed out after " + timeout);
        }
        return new Result(p.exitValue(), out.get(5, TimeUnit.SECONDS));
      } catch (IOException | java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
        return new Result(-1, e.toString());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return new Result(-1, "interrupted");
      }
    }
  }
}
