package io.dustcloud.provider.local;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * The mark the provider puts on every instance process it starts: the environment variable
 * {@code DUSTCLOUD_INSTANCE_ID=<instance id>}, which every operator version has set (so state
 * written before pids were checked against it is adopted by the same rule) and which the
 * runtimes' helpers (a Solo5 instance's socat and tender, QEMU) inherit.
 *
 * <p>A pid and a start time say which process the provider started; the mark says that the
 * process is still that instance (not a program that reused the pid within the start-time
 * tolerance). It is read from {@code /proc/<pid>/environ}, which the kernel shows only to the
 * process's owner and root, and only processes of the operator's own user count: without
 * {@code /proc} nothing is recognised, and an instance that cannot be recognised is forgotten,
 * never signalled.
 */
final class InstanceMarker {
  static final String VARIABLE = "DUSTCLOUD_INSTANCE_ID";
  private static final Path PROC = Path.of("/proc");

  private InstanceMarker() {}

  /** Whether {@code process} runs as this operator's user and carries the mark of {@code instanceId}. */
  static boolean marks(ProcessHandle process, String instanceId) {
    return marker(process.pid()).filter(instanceId::equals).isPresent();
  }

  /** The instance id {@code pid} is marked with, if it runs as this operator's user and is marked. */
  static Optional<String> marker(long pid) {
    Path proc = PROC.resolve(Long.toString(pid));
    try {
      if (!Files.getAttribute(proc, "unix:uid").equals(Files.getAttribute(PROC.resolve("self"), "unix:uid"))) {
        return Optional.empty();
      }
      String prefix = VARIABLE + "=";
      for (String entry : new String(Files.readAllBytes(proc.resolve("environ")), StandardCharsets.UTF_8).split("\0")) {
        if (entry.startsWith(prefix)) {
          return Optional.of(entry.substring(prefix.length()));
        }
      }
      return Optional.empty();
    } catch (IOException | RuntimeException e) {
      return Optional.empty(); // gone, not ours to read, or no /proc
    }
  }

  /**
   * Live processes of this user marked with one of {@code instanceIds}: what a provider that
   * died while starting them left behind (the ids were recorded before the start).
   */
  static List<ProcessHandle> marked(Collection<String> instanceIds) {
    if (instanceIds.isEmpty()) {
      return List.of();
    }
    long self = ProcessHandle.current().pid();
    return ProcessHandle.allProcesses()
        .filter(p -> p.pid() != self && p.isAlive())
        .filter(p -> marker(p.pid()).filter(instanceIds::contains).isPresent())
        .toList();
  }
}
