package io.dustcloud.dev;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.dustcloud.api.v1alpha1.Unikernel;
import io.dustcloud.testing.EndToEnd;
import io.dustcloud.testing.ExampleApp;
import io.dustcloud.testing.OperatorProcess;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dustcloud dev} as a real process: it starts whole or not at all, listens on loopback
 * only, and stopping it (SIGTERM, SIGINT) stops every instance it started — checked with a
 * census of the host's processes, not with what the operator believes.
 */
@EndToEnd
class DevProcessLifecycleTest {
  private static final Duration START = Duration.ofSeconds(120);

  @TempDir Path dir;
  private Process dev;

  @AfterEach
  void cleanUp() {
    if (dev != null) {
      dev.destroyForcibly();
    }
    // the instances of a failed test, wherever they were reparented
    OperatorProcess.killAll(stateDir().toString());
  }

  @Test
  void sigtermStopsEveryInstance() throws Exception {
    List<Long> instances = startWithFleet();
    dev.destroy(); // SIGTERM
    assertStoppedWhole(instances);
  }

  @Test
  void sigintStopsEveryInstance() throws Exception {
    // a JVM cannot handle a signal it inherited as ignored (a build started with nohup, or in
    // the background of a shell without job control): dev mode in a terminal never is
    assumeFalse(sigintIgnoredHere(), "SIGINT is ignored by this JVM, and so by its children");
    List<Long> instances = startWithFleet();
    Process kill = new ProcessBuilder("kill", "-INT", Long.toString(dev.pid())).inheritIO().start();
    assertThat(kill.waitFor()).isZero();
    assertStoppedWhole(instances);
  }

  @Test
  void aTakenHttpPortEndsDevModeWithTheOptionToChange() throws Exception {
    try (ServerSocket taken = loopbackPort()) {
      int port = taken.getLocalPort();
      dev = start("--http-port", Integer.toString(port), "--api-port", "0");
      assertEndsWith("port " + port + " is in use (health and metrics); choose another with --http-port");
    }
  }

  @Test
  void aTakenApiPortEndsDevModeWithTheOptionToChange() throws Exception {
    try (ServerSocket taken = loopbackPort()) {
      int port = taken.getLocalPort();
      dev = start("--http-port", "0", "--api-port", Integer.toString(port));
      assertEndsWith("port " + port + " is in use (API server); choose another with --api-port");
    }
  }

  /** Starts dev mode, applies a fleet of 2 and returns the pids of its running instances. */
  private List<Long> startWithFleet() throws Exception {
    ExampleApp.binary();
    dev = start("--http-port", "0", "--api-port", "0");
    await("dev mode up").atMost(START).until(() -> !dev.isAlive() || out().contains("kubeconfig:"));
    assertThat(dev.isAlive()).as("dev mode runs: %s", err()).isTrue();
    assertListenersOnLoopbackOnly(dev.toHandle());

    Config config = Config.fromKubeconfig(Files.readString(dir.resolve("kubeconfig")));
    config.setHttp2Disable(true);
    try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build();
        InputStream yaml = Files.newInputStream(Path.of("examples/hello.yaml"))) {
      Unikernel hello = Serialization.unmarshal(yaml, Unikernel.class);
      hello.getSpec().scaling.minReplicas = 2;
      client.resource(hello).create();
    }
    await("2 instances running").atMost(START).pollInterval(Duration.ofMillis(500))
        .until(() -> instancesOf(dev.toHandle()).size() == 2);
    List<Long> pids = instancesOf(dev.toHandle()).stream().map(ProcessHandle::pid).toList();
    // every instance listens too, and on loopback
    assertListenersOnLoopbackOnly(dev.toHandle());
    return pids;
  }

  private void assertStoppedWhole(List<Long> instances) {
    await("dev mode exits").atMost(START).until(() -> !dev.isAlive());
    // a killed instance may be a zombie for a moment until init reaps it
    await("instances gone").atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      for (long pid : instances) {
        assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).as("instance pid %d", pid).isEmpty();
      }
      assertThat(OperatorProcess.processesWith(stateDir().toString()))
          .as("processes naming the state dir").isEmpty();
    });
  }

  private void assertEndsWith(String line) throws Exception {
    assertThat(dev.waitFor(START.toSeconds(), TimeUnit.SECONDS))
        .as("dev mode exits; stderr: %s", err()).isTrue();
    assertThat(dev.exitValue()).isNotZero();
    assertThat(err().lines()).contains("dustcloud dev: " + line);
    assertThat(OperatorProcess.processesWith(stateDir().toString())).as("processes left").isEmpty();
  }

  private Process start(String... ports) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new ArrayList<>(List.of(java, "-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
        "-cp", System.getProperty("java.class.path"), "io.dustcloud.Main", "dev",
        "--state-dir", stateDir().toString(), "--kubeconfig", dir.resolve("kubeconfig").toString()));
    command.addAll(List.of(ports));
    ProcessBuilder pb = new ProcessBuilder(command)
        .redirectOutput(dir.resolve("out.log").toFile())
        .redirectError(dir.resolve("err.log").toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("DUSTCLOUD_") || k.startsWith("KUBE"));
    return pb.start();
  }

  /** Whether this JVM inherited SIGINT as ignored (Linux: bit 2 of SigIgn in /proc/self/status). */
  private static boolean sigintIgnoredHere() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("SigIgn:")) {
        return (Long.parseUnsignedLong(line.substring(7).trim(), 16) & (1L << (2 - 1))) != 0;
      }
    }
    return false;
  }

  private Path stateDir() {
    return dir.resolve("state");
  }

  private String out() throws IOException {
    return Files.readString(dir.resolve("out.log"));
  }

  private String err() throws IOException {
    Path f = dir.resolve("err.log");
    return Files.exists(f) ? Files.readString(f) : "";
  }

  private static ServerSocket loopbackPort() throws IOException {
    ServerSocket s = new ServerSocket();
    s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    return s;
  }

  /** Instance processes: descendants of dev mode that run a stored artifact. */
  private static List<ProcessHandle> instancesOf(ProcessHandle dev) {
    return dev.descendants().filter(ProcessHandle::isAlive)
        .filter(p -> p.info().command().map(c -> c.contains("/sha256/")).orElse(false))
        .toList();
  }

  /**
   * Every TCP socket dev mode and its children listen on is bound to a loopback address
   * (Linux: the sockets in /proc/PID/fd, looked up in /proc/net/tcp and tcp6).
   */
  private static void assertListenersOnLoopbackOnly(ProcessHandle root) throws IOException {
    Set<String> inodes = new HashSet<>();
    List<ProcessHandle> tree = new ArrayList<>(List.of(root));
    root.descendants().forEach(tree::add);
    for (ProcessHandle p : tree) {
      Path fds = Path.of("/proc", Long.toString(p.pid()), "fd");
      try (Stream<Path> links = Files.list(fds)) {
        links.forEach(l -> {
          try {
            String target = Files.readSymbolicLink(l).toString();
            if (target.startsWith("socket:[")) {
              inodes.add(target.substring(8, target.length() - 1));
            }
          } catch (IOException e) {
            // closed meanwhile
          }
        });
      } catch (IOException e) {
        // exited meanwhile
      }
    }
    List<String> listening = new ArrayList<>();
    for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      List<String> lines = Files.readAllLines(Path.of(table));
      for (String line : lines.subList(1, lines.size())) {
        String[] f = line.trim().split("\\s+");
        // f[1] local address:port, f[3] state (0A = LISTEN), f[9] inode
        if (f[3].equals("0A") && inodes.contains(f[9])) {
          listening.add(f[1]);
        }
      }
    }
    assertThat(listening).as("listening sockets of dev mode").isNotEmpty();
    for (String local : listening) {
      assertThat(isLoopback(local.substring(0, local.indexOf(':')))).as("listening on %s", local).isTrue();
    }
  }

  /** A /proc/net address: hex, each 32-bit word in host (little-endian) order. */
  private static boolean isLoopback(String hex) throws IOException {
    byte[] raw = HexFormat.of().parseHex(hex);
    byte[] address = new byte[raw.length];
    for (int w = 0; w < raw.length; w += 4) {
      for (int i = 0; i < 4; i++) {
        address[w + i] = raw[w + 3 - i];
      }
    }
    return InetAddress.getByAddress(address).isLoopbackAddress();
  }
}
