package io.dustcloud.provider.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dustcloud.provider.DesiredFleet;
import io.dustcloud.provider.FleetId;
import io.dustcloud.provider.InstanceState;
import io.dustcloud.provider.InstanceView;
import io.dustcloud.provider.RevisionImage;
import io.dustcloud.testing.EndToEnd;
import io.dustcloud.testing.ExampleApp;
import io.dustcloud.testing.HttpLoad;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keep-alive clients and draining: the example app bounds a keep-alive connection's age
 * ({@code --max-connection-age-ms}), so a busy persistent connection pinned by the fleet
 * endpoint (an L4 proxy) to an instance being drained ends gracefully, and no request fails.
 */
@EndToEnd
class KeepAliveDrainTest {
  private static final FleetId FLEET = new FleetId("default", "keepalive");
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path stateDir;
  private final List<LocalProvider> providers = new ArrayList<>();

  @AfterEach
  void cleanUp() {
    providers.forEach(LocalProvider::close);
    ExampleApp.killDescendants();
  }

  @Test
  void aConnectionOlderThanTheBoundIsAnsweredWithCloseAndClosed() throws Exception {
    LocalProvider provider = provider();
    String young = start(provider, new FleetId("default", "young"), "r1", "v1", "--max-connection-age-ms=3600000");
    String old = start(provider, new FleetId("default", "old"), "r1", "v1", "--max-connection-age-ms=1");

    try (Socket s = connect(young)) {
      Thread.sleep(50);
      assertThat(exchange(s)).contains("Connection: keep-alive").endsWith("hello from hello v1\n");
      assertThat(exchange(s)).contains("Connection: keep-alive");
    }
    try (Socket s = connect(old)) {
      Thread.sleep(50); // older than 1 ms by the first request
      assertThat(exchange(s)).contains("Connection: close").endsWith("hello from hello v1\n");
      assertThat(s.getInputStream().read()).as("closed after the answer").isEqualTo(-1);
    }
  }

  @Test
  void drainingInstancesLoseTheirBusyKeepAliveClientsWithoutAFailedRequest() throws Exception {
    assertNoFailureWhileReplacing("--max-connection-age-ms=300");
  }

  /** What the bound is for: without it, each pinned connection loses a request when its instance stops. */
  @Test
  void withoutTheBoundAPinnedConnectionFailsWhenItsInstanceStops() throws Exception {
    HttpLoad load = replaceUnderLoad("--max-connection-age-ms=0");
    assertThat(load.failed.get() + load.retries.get()).isPositive();
  }

  private void assertNoFailureWhileReplacing(String bound) throws Exception {
    HttpLoad load = replaceUnderLoad(bound);
    assertThat(load.failed.get()).as("failed requests; last: %s", load.lastFailure()).isZero();
    assertThat(load.answers).containsKeys("hello from hello v1", "hello from hello v2");
  }

  /** Two instances of v1 under 4 keep-alive clients, replaced by two of v2 (drained, then stopped). */
  private HttpLoad replaceUnderLoad(String bound) throws Exception {
    LocalProvider provider = provider();
    RevisionImage v1 = image("r1", "v1", bound);
    String endpoint = provider.realize(DesiredFleet.single(FLEET, v1, 2)).endpoint().orElseThrow();
    awaitServing(provider, FLEET, 2);
    provider.updateReady(FLEET, ids(provider, FLEET));
    HttpLoad load = new HttpLoad(endpoint, 4, "/", true);
    try {
      await().atMost(WAIT).until(() -> load.total.get() > 200);
      DesiredFleet both = new DesiredFleet(FLEET, new java.util.LinkedHashMap<>(java.util.Map.of(
          "r1", new DesiredFleet.Target(v1, 2), "r2", new DesiredFleet.Target(image("r2", "v2", bound), 2))));
      provider.realize(both);
      awaitServing(provider, FLEET, 4);
      Set<String> v2 = provider.observe(FLEET).instances().stream().filter(i -> i.revision().equals("r2"))
          .map(InstanceView::id).collect(Collectors.toSet());
      provider.updateReady(FLEET, v2);
      // drains the v1 instances (out of rotation, up to 5 s for their connections) and stops them
      provider.realize(DesiredFleet.single(FLEET, image("r2", "v2", bound), 2));
      long after = load.total.get();
      await().atMost(WAIT).until(() -> load.total.get() > after + 200);
    } finally {
      load.close();
    }
    return load;
  }

  private LocalProvider provider() {
    LocalProvider p = new LocalProvider(stateDir.resolve("p" + providers.size()));
    providers.add(p);
    return p;
  }

  private static RevisionImage image(String revision, String version, String bound) {
    return new RevisionImage(revision, "unix", ExampleApp.binary().toString(), null,
        List.of("--version=" + version, bound), 8080, LocalSettings.DEFAULT);
  }

  private static String start(LocalProvider provider, FleetId fleet, String revision, String version, String bound) {
    provider.realize(DesiredFleet.single(fleet, image(revision, version, bound), 1));
    awaitServing(provider, fleet, 1);
    return provider.observe(fleet).instances().get(0).address();
  }

  private static void awaitServing(LocalProvider provider, FleetId fleet, int count) {
    await().atMost(WAIT).until(() -> {
      List<InstanceView> all = provider.observe(fleet).instances();
      return all.size() == count && all.stream().allMatch(i -> i.state() == InstanceState.RUNNING
          && "ok\n".equals(ExampleApp.get(i.address(), "/health")));
    });
  }

  private static Set<String> ids(LocalProvider provider, FleetId fleet) {
    return provider.observe(fleet).instances().stream().map(InstanceView::id).collect(Collectors.toSet());
  }

  private static Socket connect(String address) throws IOException {
    Socket s = new Socket("127.0.0.1", Integer.parseInt(address.substring(address.lastIndexOf(':') + 1)));
    s.setSoTimeout(5000);
    return s;
  }

  /** One keep-alive GET / on the connection: the whole answer, head and body. */
  private static String exchange(Socket s) throws IOException {
    s.getOutputStream().write("GET / HTTP/1.1\r\nHost: t\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    InputStream in = s.getInputStream();
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int c = in.read();
      if (c < 0) {
        throw new IOException("closed before a whole answer: " + head);
      }
      head.append((char) c);
    }
    String h = head.toString();
    int length = Integer.parseInt(h.replaceAll("(?s).*Content-Length: (\\d+).*", "$1"));
    return h + new String(in.readNBytes(length), StandardCharsets.UTF_8);
  }
}
