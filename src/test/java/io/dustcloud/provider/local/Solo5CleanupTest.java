package io.dustcloud.provider.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.dustcloud.provider.RevisionImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Solo5 instance leaves no namespace and no socat behind, whichever way it ends. Solo5 cannot
 * run here: the host commands are recorded by a fake, and the instance script runs for real
 * with fake {@code ip} and {@code socat} programs on its PATH.
 */
class Solo5CleanupTest {
  @TempDir Path dir;
  private final List<Long> started = new ArrayList<>();

  @AfterEach
  void killLeftovers() {
    started.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
  }

  @Test
  void theInstanceScriptStopsBothForwardsWhenTheTenderExitsOnItsOwn() throws Exception {
    Path bin = Files.createDirectories(dir.resolve("bin"));
    Path pids = dir.resolve("socat.pids");
    // ip netns exec NS CMD... runs CMD here; each socat records its pid, then blocks as socat would
    script(bin.resolve("ip"), "if [ \"$1 $2\" = \"netns exec\" ]; then shift 3; exec \"$@\"; fi; exit 0");
    script(bin.resolve("socat"), "echo $$ >> " + pids + "; exec sleep 600");
    // a tender that exits with 3 once both forwards run: a unikernel refusing its boot args
    Path tender = script(bin.resolve("tender"),
        "while [ \"$(cat " + pids + " 2>/dev/null | wc -l)\" -lt 2 ]; do sleep 0.05; done; exit 3");

    List<String> command = Solo5CommandLines.instance("dc-i1", 24999, dir.resolve("i1.sock"), 8080,
        List.of(tender.toString()));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(dir.resolve("out.log").toFile());
    pb.environment().put("PATH", bin + ":/usr/bin:/bin");
    Process p = pb.start();
    started.add(p.pid());
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("the instance script ends with its tender").isTrue();
    assertThat(p.exitValue()).as("the tender's status").isEqualTo(3);

    List<Long> socats = Files.readAllLines(pids).stream().map(String::strip).map(Long::parseLong).toList();
    started.addAll(socats);
    assertThat(socats).hasSize(2);
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(socats)
        .as("socat processes still running after their instance exited")
        .noneMatch(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)));
  }

  @Test
  void aStartThatFailsAfterTheNamespaceExistsDeletesIt() throws Exception {
    RecordingHost host = new RecordingHost("");
    Path notADirectory = Files.writeString(dir.resolve("sockets"), "a file where the socket directory goes");
    Solo5Runtime runtime = runtime(host, notADirectory);

    assertThatThrownBy(() -> runtime.start("r1-abcd1234", image(), 24001)).isInstanceOf(RuntimeException.class);

    String ns = Solo5CommandLines.namespace("r1-abcd1234");
    assertThat(host.ran).startsWith(Solo5CommandLines.netnsAdd(ns)).endsWith(Solo5CommandLines.netnsDelete(ns));
  }

  @Test
  void aFailedSetupStepDeletesTheNamespace() {
    RecordingHost host = new RecordingHost("") {
      @Override
      public Result run(List<String> command, Duration timeout) {
        ran.add(command);
        return command.contains("tuntap") ? new Result(1, "ioctl(TUNSETIFF): Operation not permitted") : ok(command);
      }
    };
    Solo5Runtime runtime = runtime(host, dir.resolve("sockets"));

    assertThatThrownBy(() -> runtime.start("r1-abcd1234", image(), 24001))
        .hasMessageContaining("Operation not permitted");
    assertThat(host.ran).endsWith(Solo5CommandLines.netnsDelete(Solo5CommandLines.namespace("r1-abcd1234")));
  }

  @Test
  void cleanUpKillsWhatStillRunsInTheNamespaceThenDeletesIt() {
    RecordingHost host = new RecordingHost("4242\n4343\n");
    runtime(host, dir.resolve("sockets")).cleanUp("r1-abcd1234");

    String ns = Solo5CommandLines.namespace("r1-abcd1234");
    assertThat(host.ran).containsExactly(
        Solo5CommandLines.netnsPids(ns), List.of("kill", "-KILL", "4242", "4343"), Solo5CommandLines.netnsDelete(ns));
  }

  private Solo5Runtime runtime(HostCommands host, Path socketDir) {
    ArtifactDigests digests = new ArtifactDigests();
    ProcessRuntime processes = new ProcessRuntime(dir.resolve("instances"), Duration.ofSeconds(1),
        new UnixArtifacts(digests));
    return new Solo5Runtime(processes, host, () -> {
      throw new AssertionError("start does not consult the capabilities");
    }, digests, socketDir);
  }

  private RevisionImage image() throws IOException {
    Path kernel = Files.writeString(dir.resolve("hello.hvt"), "not a real kernel");
    return new RevisionImage("r1", "hvt", kernel.toString(), null, List.of(), 8080, LocalSettings.DEFAULT);
  }

  private static Path script(Path path, String body) throws IOException {
    Files.writeString(path, "#!/bin/sh\n" + body + "\n");
    Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwxr-xr-x"));
    return path;
  }

  /** Every command succeeds; {@code ip netns pids} prints {@code pids}. */
  private static class RecordingHost implements HostCommands {
    final List<List<String>> ran = new ArrayList<>();
    private final String pids;

    RecordingHost(String pids) {
      this.pids = pids;
    }

    @Override
    public Optional<Path> which(String name) {
      return Optional.of(Path.of("/fake/bin", name));
    }

    @Override
    public Result run(List<String> command, Duration timeout) {
      ran.add(command);
      return ok(command);
    }

    Result ok(List<String> command) {
      return new Result(0, command.contains("pids") ? pids : "");
    }
  }
}
