package io.dustcloud.provider.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dustcloud.provider.DesiredFleet;
import io.dustcloud.provider.FleetId;
import io.dustcloud.provider.FleetObservation;
import io.dustcloud.provider.InstanceState;
import io.dustcloud.provider.InstanceView;
import io.dustcloud.provider.RevisionImage;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A scale-down drains the connections of the instances it removes without holding the fleet's
 * lock: observe (and the supervisor behind it) goes on, and shows them {@code STOPPING}. The
 * drain here ends only when the test closes its connection (its limit is a minute), so what is
 * asserted while it runs is not a matter of timing.
 */
class LocalProviderDrainTest {
  private static final Path BINARY = Path.of("examples/hello/hello").toAbsolutePath();
  private static final FleetId FLEET = new FleetId("default", "drain");
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final Duration LONG_DRAIN = Duration.ofMinutes(1);

  @TempDir Path stateDir;
  private final ExecutorService background = Executors.newFixedThreadPool(2);
  private LocalProvider provider;

  @BeforeAll
  static void buildExample() throws Exception {
    Process make = new ProcessBuilder("make", "-s", "-C", "examples/hello").redirectErrorStream(true).start();
    String output = new String(make.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(make.waitFor()).as("make output: %s", output).isZero();
  }

  @AfterEach
  void cleanUp() {
    background.shutdownNow();
    if (provider != null) {
      provider.close();
    }
    List<ProcessHandle> children = ProcessHandle.current().descendants().toList();
    children.forEach(ProcessHandle::destroyForcibly);
    children.forEach(h -> h.onExit().join());
  }

  @Test
  void observeAnswersWhileAScaleDownDrainsAKeepAliveConnection() throws Exception {
    provider = new LocalProvider(stateDir, Duration.ofSeconds(1), HostCommands.system(), Path.of("/dev/kvm"), LONG_DRAIN);
    FleetObservation two = provider.realize(DesiredFleet.single(FLEET, image(), 2));
    await().atMost(WAIT).untilAsserted(() -> assertThat(provider.observe(FLEET).instances())
        .hasSize(2).allMatch(i -> i.state() == InstanceState.RUNNING));
    // the newest is the one a scale-down stops; route the endpoint to it alone
    InstanceView leaving = two.instances().stream().max(Comparator.comparing(InstanceView::createdAt)).orElseThrow();
    String staying = two.instances().stream().filter(i -> !i.id().equals(leaving.id())).findFirst().orElseThrow().id();
    provider.updateReady(FLEET, Set.of(leaving.id()));

    try (Socket keepAlive = keepAliveThroughEndpoint(two.endpoint().orElseThrow())) {
      CompletableFuture<FleetObservation> scaleDown =
          CompletableFuture.supplyAsync(() -> provider.realize(DesiredFleet.single(FLEET, image(), 1)), background);

      // observe returns during the drain, and shows the leaving instance stopping
      await().atMost(WAIT).untilAsserted(() -> assertThat(stateOf(leaving.id())).isEqualTo(InstanceState.STOPPING));
      assertThat(scaleDown).as("the drain waits for the open connection").isNotDone();
      assertThat(stateOf(staying)).isEqualTo(InstanceState.RUNNING);
      // a readiness update during the drain neither waits nor routes to the leaving instance
      provider.updateReady(FLEET, Set.of(leaving.id(), staying));
      // a concurrent realize neither stops the leaving instance again nor replaces it: the
      // fleet holds one serving instance, as desired
      FleetObservation during = provider.realize(DesiredFleet.single(FLEET, image(), 1));
      assertThat(during.instances()).extracting(InstanceView::id).containsExactlyInAnyOrder(leaving.id(), staying);
      assertThat(scaleDown).isNotDone();

      keepAlive.close();
      FleetObservation after = scaleDown.get(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
      assertThat(after.instances()).extracting(InstanceView::id).containsExactly(staying);
    }
    assertThat(provider.observe(FLEET).instances()).extracting(InstanceView::id).containsExactly(staying);
    assertThat(new FleetStateStore(stateDir).loadAll().get(0).instances())
        .extracting(FleetState.Instance::id).containsExactly(staying);
  }

  /** One HTTP/1.1 request answered on a connection that stays open (idle keep-alive). */
  private static Socket keepAliveThroughEndpoint(String endpoint) throws IOException {
    Socket s = new Socket();
    s.connect(new InetSocketAddress("127.0.0.1", Integer.parseInt(endpoint.substring(endpoint.lastIndexOf(':') + 1))), 2000);
    s.setSoTimeout(5000);
    s.getOutputStream().write("GET /health HTTP/1.1\r\nHost: test\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    s.getOutputStream().flush();
    InputStream in = s.getInputStream();
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      assertThat(b).as("response headers so far: %s", head).isNotNegative();
      head.append((char) b);
    }
    assertThat(head.toString()).startsWith("HTTP/1.1 200").containsIgnoringCase("keep-alive");
    int length = Integer.parseInt(head.toString().replaceAll("(?is).*content-length:\\s*(\\d+).*", "$1"));
    assertThat(in.readNBytes(length)).hasSize(length);
    return s;
  }

  private InstanceState stateOf(String id) {
    return provider.observe(FLEET).instances().stream()
        .filter(i -> i.id().equals(id)).map(InstanceView::state).findFirst().orElse(null);
  }

  private static RevisionImage image() {
    return new RevisionImage("r1", "unix", BINARY.toString(), null, List.of("--version=v1"), 8080,
        LocalSettings.DEFAULT);
  }
}
