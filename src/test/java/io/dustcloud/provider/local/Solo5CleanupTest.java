package io.dustcloud.provider.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

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
import io.dustcloud.core.health.ProbeResult;
import io.dustcloud.supervisor.HttpProber;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A Solo5 instance leaves no process, namespace or forward behind, whichever way it ends, and its
 * loopback port accepts only while the guest does. Solo5 cannot run here: the wrapper script runs
 * for real under {@code /bin/sh} (dash on Debian) and bash, with the real socat and a stand-in
 * tender (see {@link Solo5Rig}), in real network namespaces where this host allows them;
 * the rest records host commands with a fake.
 */
class Solo5CleanupTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  @TempDir Path dir;
  private final List<String> instances = new ArrayList<>();
  private final List<String> namespaces = new ArrayList<>();
  private final PortAllocator ports = new PortAllocator();

  /** Whatever a failed test left: every process marked as one of its instances, and its namespaces. */
  @AfterEach
  void killLeftovers() {
    InstanceMarker.marked(instances).forEach(ProcessHandle::destroyForcibly);
    if (!namespaces.isEmpty() && Solo5Rig.namespacesWork()) {
      namespaces.forEach(ns -> HostCommands.onPath(Solo5Rig.SYSTEM_PATH).run(Solo5CommandLines.netnsDelete(ns),
          Duration.ofSeconds(5)));
    }
  }

  static List<String> shells() {
    // /bin/sh is what the provider runs; bash too, so a bash-only construct cannot hide behind either
    return java.util.stream.Stream.of(Solo5CommandLines.SHELL, "/bin/bash")
        .filter(s -> Files.isExecutable(Path.of(s))).toList();
  }

  @ParameterizedTest
  @MethodSource("shells")
  void aTenderThatExitsOnItsOwnTakesTheForwardsAndTheNamespaceWithIt(String shell) throws Exception {
    Launched i = launch(shell);
    awaitAnswers(i);
    Files.createFile(i.ctl.resolve("exit"));

    assertThat(i.process.onExit().get(60, TimeUnit.SECONDS).exitValue()).as("the tender's status").isEqualTo(3);
    awaitNothingLeft(i);
  }

  @ParameterizedTest
  @MethodSource("shells")
  void sigtermStopsTheTenderTheForwardsAndTheNamespace(String shell) throws Exception {
    Launched i = launch(shell);
    awaitAnswers(i);

    i.process.destroy();

    assertThat(i.process.onExit().get(60, TimeUnit.SECONDS).exitValue()).isEqualTo(143);
    awaitNothingLeft(i);
  }

  @Test
  void afterSigkillTheOperatorsCleanUpRemovesWhatTheScriptCouldNot() throws Exception {
    Launched i = launch(Solo5CommandLines.SHELL);
    awaitAnswers(i);

    i.process.destroyForcibly();
    i.process.onExit().get(60, TimeUnit.SECONDS);
    assertThat(InstanceMarker.marked(List.of(i.id)))
        .as("SIGKILL leaves the forwards and the tender running: what cleanUp is for").isNotEmpty();
    i.runtime.cleanUp(i.id);

    awaitNothingLeft(i);
    assertThat(dir.resolve("sockets").resolve(i.id + ".sock")).doesNotExist();
  }

  @Test
  void theLoopbackPortAcceptsOnlyWhileTheGuestDoes() throws Exception {
    HttpProber prober = new HttpProber();
    Launched i = launch(Solo5CommandLines.SHELL);
    String address = "127.0.0.1:" + i.port;
    // the tender runs, its guest listens on nothing: over six of the script's checks, no TCP probe passes
    long until = System.nanoTime() + Duration.ofSeconds(3).toNanos();
    while (System.nanoTime() < until) {
      assertThat(i.process.isAlive()).isTrue();
      ProbeResult r = prober.tcp(address, Duration.ofMillis(500)).get(10, TimeUnit.SECONDS);
      assertThat(r.passed()).as("TCP probe of a guest that listens on nothing: %s", r).isFalse();
      Thread.sleep(100);
    }

    Files.createFile(i.ctl.resolve("listen"));
    await().atMost(WAIT).until(() -> prober.tcp(address, Duration.ofMillis(500)).get().passed());
    // and what it accepted reaches the guest (each try has a 300 ms budget: retried on a busy host)
    await().atMost(WAIT).until(() -> GuestProbe.httpAnswers(i.port));

    Files.createFile(i.ctl.resolve("quiet"));
    await().atMost(WAIT).until(() -> !prober.tcp(address, Duration.ofMillis(500)).get().passed());
    i.process.destroy();
    i.process.onExit().get(60, TimeUnit.SECONDS);
    awaitNothingLeft(i);
  }

  /** One instance script, its runtime, and the directory that steers its stand-in tender. */
  private record Launched(String id, int port, Process process, Path ctl, Solo5Runtime runtime) {}

  /** Sets up the namespace as {@link Solo5Runtime#start} does and starts the provider's instance command. */
  private Launched launch(String shell) throws Exception {
    assumeTrue(Solo5Rig.socat().isPresent(), "socat is not installed (apt-get install socat; .ci/run installs it)");
    Solo5Rig rig = Solo5Rig.create(dir, Solo5Rig.namespacesWork());
    String id = "r1-" + java.util.UUID.randomUUID().toString().substring(0, 8);
    instances.add(id);
    namespaces.add(Solo5CommandLines.namespace(id));
    Path ctl = Files.createDirectories(dir.resolve("ctl-" + id));
    int guestPort = rig.realNamespaces ? 8080 : ports.allocate();
    int port = ports.allocate();
    ArtifactDigests digests = new ArtifactDigests();
    ProcessRuntime processes = new ProcessRuntime(dir.resolve("instances"), Duration.ofSeconds(1),
        new UnixArtifacts(digests));
    Solo5Runtime runtime = new Solo5Runtime(processes, rig.host, () -> {
      throw new AssertionError("start does not consult the capabilities");
    }, digests, dir.resolve("sockets"), rig.guestIp);
    Path kernel = Files.write(dir.resolve("hello.spt"), Solo5Elf.withManifest(List.of(Solo5Elf.Entry.net("service"))));
    RevisionImage image = new RevisionImage("r1", "spt", kernel.toString(), null, rig.bootArgs(ctl, guestPort),
        guestPort, LocalSettings.DEFAULT);
    for (List<String> step : Solo5Runtime.setup(Solo5CommandLines.namespace(id))) {
      assertThat(rig.host.run(step, WAIT).ok()).as("%s", step).isTrue();
    }
    // the command the provider runs, started as ProcessRuntime.launch does (marked, logged), but
    // keeping the Process for the exit status; under another shell for the bash runs
    List<String> command = new ArrayList<>(runtime.command(id, image, port));
    assertThat(command.get(0)).isEqualTo(Solo5CommandLines.SHELL);
    command.set(0, shell);
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve(id + ".log").toFile()))
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    pb.environment().put(InstanceMarker.VARIABLE, id);
    return new Launched(id, port, pb.start(), ctl, runtime);
  }

  private void awaitAnswers(Launched i) throws IOException {
    Files.createFile(i.ctl.resolve("listen"));
    await().atMost(WAIT).until(() -> GuestProbe.httpAnswers(i.port));
  }

  private void awaitNothingLeft(Launched i) {
    String ns = Solo5CommandLines.namespace(i.id);
    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(InstanceMarker.marked(List.of(i.id)).stream().map(p -> p.pid() + " " + p.info().commandLine().orElse("?")))
          .as("processes of instance %s still running", i.id).isEmpty();
      assertThat(Solo5Rig.namespaceExists(ns)).as("namespace %s still exists", ns).isFalse();
      assertThat(ProcessRuntime.accepts(i.port)).as("the loopback port %d still accepts", i.port).isFalse();
    });
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
