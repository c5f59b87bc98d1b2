package io.dustcloud.provider.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.dustcloud.provider.DesiredFleet;
import io.dustcloud.provider.FleetId;
import io.dustcloud.provider.FleetObservation;
import io.dustcloud.provider.InstanceState;
import io.dustcloud.provider.InstanceView;
import io.dustcloud.provider.ProviderException;
import io.dustcloud.provider.RevisionImage;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalProviderTest {
  private static final Path BINARY = Path.of("examples/hello/hello").toAbsolutePath();
  private static final FleetId FLEET = new FleetId("default", "hello");
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path stateDir;
  private final List<LocalProvider> providers = new ArrayList<>();
  private final List<Process> strays = new ArrayList<>();
  private LocalProvider provider;

  @BeforeAll
  static void buildExample() throws Exception {
    Process make = new ProcessBuilder("make", "-s", "-C", "examples/hello")
        .redirectErrorStream(true).start();
    String output = new String(make.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(make.waitFor()).as("make output: %s", output).isZero();
    assertThat(BINARY).isExecutable();
  }

  @BeforeEach
  void createProvider() {
    provider = newProvider();
  }

  /** Every instance is a child of this JVM, so killing descendants can miss none, even on failure. */
  @AfterEach
  void cleanUp() {
    providers.forEach(LocalProvider::close);
    strays.forEach(Process::destroyForcibly);
    List<ProcessHandle> children = ProcessHandle.current().descendants().toList();
    children.forEach(ProcessHandle::destroyForcibly);
    children.forEach(h -> h.onExit().join());
  }

  @Test
  void realizeStartsProcessesThatAnswerHealth() {
    FleetObservation obs = provider.realize(DesiredFleet.single(FLEET, image("r1", "v1"), 2));

    assertThat(obs.instances()).hasSize(2);
    assertThat(obs.endpoint()).isPresent();
    awaitAllRunning(2);
    for (InstanceView i : provider.observe(FLEET).instances()) {
      assertThat(i.address()).startsWith("127.0.0.1:");
      assertThat(get(i.address(), "/health")).isEqualTo("200 ok\n");
    }
    assertThat(pids().values()).hasSize(2).allMatch(LocalProviderTest::alive);
    assertThat(provider.logFile(obs.instances().get(0).id())).content().contains("listening");
  }

  @Test
  void scalesUpAndDownStoppingTheExtras() {
    provider.realize(DesiredFleet.single(FLEET, image("r1", "v1"), 2));
    provider.realize(DesiredFleet.single(FLEET, image("r1", "v1"), 3));
    Map<String, Long> three = pids();
    assertThat(three).hasSize(3);

    FleetObservation obs = provider.realize(DesiredFleet.single(FLEET, image("r1", "v1"), 1));

    assertThat(obs.instances()).hasSize(1);
    Map<String, Long> one = pids();
    assertThat(three).containsAllEntriesOf(one);
    three.keySet().removeAll(one.keySet());
    assertThat(three.values()).hasSize(2).noneMatch(LocalProviderTest::alive);
  }

  @Test
  void splitsTwoRevisions() {
    DesiredFleet split = split(1, 2);

    FleetObservation obs = provider.realize(split);

    assertThat(obs.count("r1")).isEqualTo(1);
    assertThat(obs.count("r2")).isEqualTo(2);
    awaitAllRunning(3);
    for (InstanceView i : obs.instances()) {
      String version = i.revision().equals("r1") ? "v1" : "v2";
      assertThat(get(i.address(), "/")).isEqualTo("200 hello from hello " + version + "\n");
    }
    // the revision left out of desired goes to zero
    obs = provider.realize(DesiredFleet.single(FLEET, image("r2", "v2"), 2));
    assertThat(obs.count("r1")).isZero();
    assertThat(obs.count("r2")).isEqualTo(2);
  }

  @Test
  void processKilledFromOutsideStaysFailedUntilTheSupervisorReplacesIt() {
    provider.realize(DesiredFleet.single(FLEET, image("r1", "v1"), 2));
    String victim = provider.observe(FLEET).instances().get(0).id();
    ProcessHandle.of(pids().get(victim)).orElseThrow().destroyForcibly();

    await().atMost(WAIT).until(() -> stateOf(victim) == InstanceState.FAILED);
    // realize neither replaces it nor starts a third: when to replace is the repair loop's call
    for (int i = 0; i < 3; i++) {
      FleetObservation obs = provider.realize(DesiredFleet.single(FLEET, image("r1", "v1"), 2));
      assertThat(obs.instances()).hasSize(2).extracting(InstanceView::id).contains(victim);
    }
    assertThat(stateOf(victim)).isEqualTo(InstanceState.FAILED);

    provider.replace(FLEET, List.of(victim));

    assertThat(ids()).hasSize(2).doesNotContain(victim);
    awaitAllRunning(2);
  }

  @Test
  void aCrashLoopKeepsTheNewestThreeLogsOfItsRevisionAndDeleteRemovesThemAll() throws IOException {
    RevisionImage bad = new RevisionImage("r1", "unix", BINARY.toString(), null, List.of("--no-such-flag"), 8080,
        LocalSettings.DEFAULT);
    provider.realize(DesiredFleet.single(FLEET, bad, 1));
    List<String> replaced = new ArrayList<>();
    for (int round = 0; round < 6; round++) {
      String failing = provider.observe(FLEET).instances().get(0).id();
      await().atMost(WAIT).until(() -> stateOf(failing) == InstanceState.FAILED);
      assertThat(provider.consoleTail(FLEET, failing, 5, 1024))
          .anyMatch(l -> l.contains("invalid argument '--no-such-flag'"));
      provider.replace(FLEET, List.of(failing));
      replaced.add(failing);
    }
    String last = provider.observe(FLEET).instances().get(0).id();
    await().atMost(WAIT).until(() -> stateOf(last) == InstanceState.FAILED);

    // the three newest replaced instances' logs and the current one's: bounded however long it loops
    try (var logs = Files.list(stateDir.resolve("instances"))) {
      assertThat(logs.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".log")).sorted().toList())
          .containsExactlyInAnyOrderElementsOf(
              java.util.stream.Stream.concat(replaced.subList(3, 6).stream(), java.util.stream.Stream.of(last))
                  .map(id -> id + ".log").toList());
    }
    assertThat(provider.consoleTail(FLEET, replaced.get(5), 5, 1024)).isNotEmpty();
    assertThat(provider.consoleTail(FLEET, replaced.get(0), 5, 1024)).as("its log is gone").isEmpty();

    provider.delete(FLEET);

    try (var logs = Files.list(stateDir.resolve("instances"))) {
      assertThat(logs.filter(p -> p.toString().endsWith(".log")).toList()).isEmpty();
    }
  }

  @Test
  void replaceStartsAFreshInstanceOfTheSameRevision() {
    provider.realize(split(1, 1));
    InstanceView old = provider.observe(FLEET).instances().stream()
        .filter(i -> i.revision().equals("r2")).findFirst().orElseThrow();
    long oldPid = pids().get(old.id());

    provider.replace(FLEET, List.of(old.id()));

    FleetObservation obs = provider.observe(FLEET);
    assertThat(obs.instances()).hasSize(2).extracting(InstanceView::id).doesNotContain(old.id());
    assertThat(obs.count("r2")).isEqualTo(1);
    assertThat(alive(oldPid)).isFalse();
    InstanceView fresh = obs.instances().stream()
        .filter(i -> i.revision().equals("r2")).findFirst().orElseThrow();
    await().atMost(WAIT).until(() -> stateOf(fresh.id()) == InstanceState.RUNNING);
    assertThat(get(fresh.address(), "/")).isEqualTo("200 hello from hello v2\n");
  }

  @Test
  void endpointRoutesOnlyToReadyInstances() {
    FleetObservation obs = provider.realize(split(1, 1));
    awaitAllRunning(2);
    String endpoint = obs.endpoint().orElseThrow();
    Map<String, String> idByRevision = obs.instances().stream()
        .collect(Collectors.toMap(InstanceView::revision, InstanceView::id));

    assertThat(get(endpoint, "/")).as("nothing is ready yet").isEmpty();

    provider.updateReady(FLEET, Set.of(idByRevision.get("r1")));
    for (int i = 0; i < 6; i++) {
      assertThat(get(endpoint, "/")).isEqualTo("200 hello from hello v1\n");
    }

    provider.updateReady(FLEET, Set.copyOf(idByRevision.values()));
    Set<String> answers = new HashSet<>();
    for (int i = 0; i < 6; i++) {
      answers.add(get(endpoint, "/"));
    }
    assertThat(answers)
        .containsExactlyInAnyOrder("200 hello from hello v1\n", "200 hello from hello v2\n");
  }

  @Test
  void endpointSkipsAReadyInstanceThatRefusesConnections() {
    FleetObservation obs = provider.realize(split(1, 1));
    awaitAllRunning(2);
    provider.updateReady(FLEET, ids());
    String r1 = obs.instances().stream()
        .filter(i -> i.revision().equals("r1")).findFirst().orElseThrow().id();
    ProcessHandle dead = ProcessHandle.of(pids().get(r1)).orElseThrow();
    dead.destroyForcibly();
    dead.onExit().join();

    for (int i = 0; i < 6; i++) {
      assertThat(get(obs.endpoint().orElseThrow(), "/")).isEqualTo("200 hello from hello v2\n");
    }
  }

  @Test
  void endpointForwardsHalfClose() throws IOException {
    FleetObservation obs = provider.realize(DesiredFleet.single(FLEET, image("r1", "v1"), 1));
    awaitAllRunning(1);
    provider.updateReady(FLEET, ids());

    try (Socket s = new Socket("127.0.0.1", port(obs.endpoint().orElseThrow()))) {
      s.setSoTimeout(5000);
      // keep-alive request: only the forwarded half-close tells the server to finish
      s.getOutputStream().write("GET / HTTP/1.1\r\nHost: t\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      s.shutdownOutput();
      String response = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
      assertThat(response).startsWith("HTTP/1.1 200").endsWith("hello from hello v1\n");
    }
  }

  @Test
  void endpointCarriesConcurrentConnections() throws Exception {
    FleetObservation obs = provider.realize(DesiredFleet.single(FLEET, image("r1", "v1"), 2));
    awaitAllRunning(2);
    provider.updateReady(FLEET, ids());
    String endpoint = obs.endpoint().orElseThrow();

    List<Thread> clients = new ArrayList<>();
    List<String> answers = java.util.Collections.synchronizedList(new ArrayList<>());
    for (int i = 0; i < 200; i++) {
      Thread t = new Thread(() -> answers.add(get(endpoint, "/?cpu_ms=1")));
      clients.add(t);
      t.start();
    }
    for (Thread t : clients) {
      t.join();
    }

    assertThat(answers).hasSize(200).allMatch(a -> a.equals("200 hello from hello v1\n"));
  }

  @Test
  void aSecondProviderAdoptsTheInstancesAndConverges() {
    FleetObservation before = provider.realize(DesiredFleet.single(FLEET, image("r1", "v1"), 2));
    Map<String, Long> pids = pids();
    provider.close();
    long children = ProcessHandle.current().children().count();

    LocalProvider successor = newProvider();
    FleetObservation adopted = successor.observe(FLEET);
    FleetObservation same = successor.realize(DesiredFleet.single(FLEET, image("r1", "v1"), 2));

    assertThat(adopted.instances()).extracting(InstanceView::id)
        .containsExactlyInAnyOrderElementsOf(pids.keySet());
    assertThat(same.endpoint()).isEqualTo(before.endpoint());
    assertThat(pids()).isEqualTo(pids);
    assertThat(ProcessHandle.current().children().count()).isEqualTo(children);

    FleetObservation three = successor.realize(DesiredFleet.single(FLEET, image("r1", "v1"), 3));
    assertThat(three.instances()).hasSize(3);
    assertThat(pids()).containsAllEntriesOf(pids);
  }

  @Test
  void deadPidsInStateAreForgotten() {
    provider.realize(DesiredFleet.single(FLEET, image("r1", "v1"), 2));
    provider.close();
    Map<String, Long> pids = pids();
    String dead = pids.keySet().iterator().next();
    ProcessHandle victim = ProcessHandle.of(pids.get(dead)).orElseThrow();
    victim.destroyForcibly();
    victim.onExit().join();

    LocalProvider successor = newProvider();

    assertThat(successor.observe(FLEET).instances()).extracting(InstanceView::id)
        .containsExactlyInAnyOrderElementsOf(
            pids.keySet().stream().filter(id -> !id.equals(dead)).toList());
    assertThat(successor.realize(DesiredFleet.single(FLEET, image("r1", "v1"), 2)).instances())
        .hasSize(2);
  }

  /**
   * Found by the crash benchmark: an operator killed between starting an instance and
   * recording it left a process nobody stopped, one instance too many for ever. The id is now
   * recorded before the start, and the next provider stops the process carrying its mark, and
   * only that one: neither a process merely working in the instances directory (someone reading
   * logs) nor one marked with an id no state records.
   */
  @Test
  void anInstanceStartedButNeverRecordedIsStoppedByTheNextProvider() throws Exception {
    provider.realize(DesiredFleet.single(FLEET, image("r1", "v1"), 1));
    Map<String, Long> pids = pids();
    provider.close();
    Path instances = stateDir.resolve("instances");
    // what the killed operator had just started: its id is recorded as starting, with no pid yet
    Process halfStarted = marked("r1-halfstart", instances);
    Process unknownMark = marked("r1-nobodys", instances);
    Process reader = new ProcessBuilder("sleep", "30").directory(instances.toFile()).start();
    strays.add(reader);
    FleetStateStore store = new FleetStateStore(stateDir);
    FleetState state = store.loadAll().get(0);
    store.save(new FleetState(state.namespace(), state.name(), state.endpointPort(), state.images(),
        state.instances(), List.of("r1-halfstart")));

    LocalProvider successor = newProvider();

    await().atMost(WAIT).until(() -> !halfStarted.isAlive());
    assertThat(reader.isAlive()).as("a process that merely works in the instances directory").isTrue();
    assertThat(unknownMark.isAlive()).as("a mark no state records is nobody's to stop").isTrue();
    assertThat(successor.observe(FLEET).instances()).extracting(InstanceView::id)
        .containsExactlyElementsOf(pids.keySet());
    assertThat(pids.values()).allMatch(LocalProviderTest::alive);
    assertThat(new FleetStateStore(stateDir).loadAll().get(0).starting()).isEmpty();
  }

  private Process marked(String instanceId, Path dir) throws Exception {
    ProcessBuilder pb = new ProcessBuilder("sleep", "30").directory(dir.toFile());
    pb.environment().put(InstanceMarker.VARIABLE, instanceId);
    Process p = pb.start();
    strays.add(p);
    return p;
  }

  /**
   * State written before instances were checked for their mark (no {@code starting}) adopts by
   * the same rule, since every operator marked its processes; a record with no start time names
   * a pid that proves nothing, so it is forgotten and the process at that pid left alone.
   */
  @Test
  void stateOfEarlierOperatorsIsAdoptedByPidStartTimeAndMark() throws Exception {
    provider.realize(DesiredFleet.single(FLEET, image("r1", "v1"), 1));
    Map<String, Long> pids = pids();
    provider.close();
    Process stranger = new ProcessBuilder("sleep", "30").start();
    strays.add(stranger);
    Path file = new FleetStateStore(stateDir).file(FLEET);
    var json = new com.fasterxml.jackson.databind.ObjectMapper();
    var root = (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(file.toFile());
    root.remove("starting");
    var noStart = ((com.fasterxml.jackson.databind.node.ObjectNode) root.get("instances").get(0).deepCopy())
        .put("id", "r1-oldest").put("pid", stranger.pid());
    noStart.remove("processStart");
    ((com.fasterxml.jackson.databind.node.ArrayNode) root.get("instances")).add(noStart);
    json.writeValue(file.toFile(), root);

    LocalProvider successor = newProvider();

    assertThat(successor.observe(FLEET).instances()).extracting(InstanceView::id)
        .containsExactlyElementsOf(pids.keySet());
    successor.stopAll();
    assertThat(stranger.isAlive()).isTrue();
    await().atMost(WAIT).until(() -> pids.values().stream().noneMatch(LocalProviderTest::alive));
  }

  @Test
  void aReusedPidIsNeitherAdoptedNorKilled() throws Exception {
    provider.realize(DesiredFleet.single(FLEET, image("r1", "v1"), 1));
    provider.close();
    Process stranger = new ProcessBuilder("sleep", "30").start();
    strays.add(stranger);
    FleetStateStore store = new FleetStateStore(stateDir);
    FleetState state = store.loadAll().get(0);
    FleetState.Instance real = state.instances().get(0);
    // the recorded pid now belongs to another program, which started at another time
    FleetState.Instance reused = new FleetState.Instance("r1-reused", "r1", stranger.pid(),
        Instant.EPOCH, real.port() + 1, real.artifact(), real.createdAt());
    store.save(new FleetState(state.namespace(), state.name(), state.endpointPort(),
        state.images(), List.of(real, reused)));

    LocalProvider successor = newProvider();
    successor.realize(DesiredFleet.single(FLEET, image("r1", "v1"), 0));

    assertThat(successor.observe(FLEET).instances()).isEmpty();
    assertThat(stranger.isAlive()).isTrue();
    await().atMost(WAIT).until(() -> !alive(real.pid()));
  }

  @Test
  void deleteLeavesNoProcessAndNoState() {
    FleetObservation obs = provider.realize(DesiredFleet.single(FLEET, image("r1", "v1"), 2));
    Map<String, Long> pids = pids();

    provider.delete(FLEET);

    assertThat(pids.values()).noneMatch(LocalProviderTest::alive);
    assertThat(new FleetStateStore(stateDir).file(FLEET)).doesNotExist();
    assertThat(provider.observe(FLEET).instances()).isEmpty();
    assertThat(ProcessRuntime.accepts(port(obs.endpoint().orElseThrow()))).isFalse();
    provider.delete(FLEET); // idempotent
  }

  @Test
  void releaseForgetsTheFleetButLeavesProcessesRunning() {
    provider.realize(DesiredFleet.single(FLEET, image("r1", "v1"), 2));
    Map<String, Long> pids = pids();

    provider.release(FLEET);

    assertThat(pids.values()).allMatch(LocalProviderTest::alive);
    assertThat(new FleetStateStore(stateDir).file(FLEET)).doesNotExist();
    assertThat(provider.observe(FLEET).instances()).isEmpty();
    assertThat(newProvider().observe(FLEET).instances()).isEmpty();
  }

  @Test
  void stopAllKillsEveryInstanceButKeepsTheFleet() {
    FleetId other = new FleetId("default", "other");
    provider.realize(DesiredFleet.single(FLEET, image("r1", "v1"), 1));
    provider.realize(DesiredFleet.single(other, image("r1", "v1"), 1));
    List<Long> pids = new FleetStateStore(stateDir).loadAll().stream()
        .flatMap(s -> s.instances().stream()).map(FleetState.Instance::pid).toList();

    provider.stopAll();

    assertThat(pids).hasSize(2).noneMatch(LocalProviderTest::alive);
    assertThat(provider.observe(other).instances()).isEmpty();
    assertThat(provider.observe(other).endpoint()).isPresent();
  }

  /** Dev mode closes the operator (and so the provider) first, then stops what it started. */
  @Test
  void stopAllWorksAfterClose() {
    provider.realize(DesiredFleet.single(FLEET, image("r1", "v1"), 1));
    List<Long> pids = List.copyOf(pids().values());

    provider.close();
    provider.stopAll();

    assertThat(pids).hasSize(1).noneMatch(LocalProviderTest::alive);
    assertThat(pids()).isEmpty();
  }

  @Test
  void bootArgsGetThePortSubstituted() {
    RevisionImage image = new RevisionImage("r1", "unix", BINARY.toString(), null,
        List.of("--name=p{port}"), 8080, LocalSettings.DEFAULT);

    InstanceView i = provider.realize(DesiredFleet.single(FLEET, image, 1)).instances().get(0);

    await().atMost(WAIT).until(() -> stateOf(i.id()) == InstanceState.RUNNING);
    assertThat(get(i.address(), "/")).isEqualTo("200 hello from p" + port(i.address()) + " v1\n");
  }

  @Test
  void unsupportedImagesAreExplained() throws IOException {
    assertThat(provider.unsupportedReason(image("r1", "v1"))).isNull();
    RevisionImage virtio = new RevisionImage("r1", "virtio", BINARY.toString(), null,
        List.of(), 8080, LocalSettings.DEFAULT);
    // a host executable is no VM image, whether or not this host has QEMU
    assertThat(provider.unsupportedReason(virtio)).containsAnyOf("not a virtio image", "qemu");
    RevisionImage virtioOnProcess = new RevisionImage("r1", "virtio", BINARY.toString(), null,
        List.of(), 8080, LocalSettings.runtime("process"));
    assertThat(provider.unsupportedReason(virtioOnProcess))
        .contains("format 'virtio' boots on the local provider's 'qemu' runtime", "set it to 'qemu'");
    RevisionImage missing = new RevisionImage("r1", "unix", "/nonexistent/hello", null,
        List.of(), 8080, LocalSettings.DEFAULT);
    assertThat(provider.unsupportedReason(missing)).contains("/nonexistent/hello", "does not exist");
    RevisionImage wrongDigest = new RevisionImage("r1", "unix", BINARY.toString(),
        "0".repeat(64), List.of(), 8080, LocalSettings.DEFAULT);
    assertThat(provider.unsupportedReason(wrongDigest)).contains("sha256");

    Path copy = Files.copy(BINARY, stateDir.resolve("hello-copy"));
    Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rw-r--r--"));
    RevisionImage notExecutable = new RevisionImage("r1", "unix", copy.toString(), null,
        List.of(), 8080, LocalSettings.DEFAULT);
    assertThat(provider.unsupportedReason(notExecutable)).isNull();
    assertThat(copy).isExecutable();

    assertThatThrownBy(() -> provider.realize(DesiredFleet.single(FLEET, virtio, 1)))
        .isInstanceOfSatisfying(ProviderException.class, e -> {
          assertThat(e.retryable()).isFalse();
          assertThat(e.reason()).isEqualTo(io.dustcloud.core.Reason.UNSUPPORTED_IMAGE);
        });
  }

  private LocalProvider newProvider() {
    LocalProvider p = new LocalProvider(stateDir);
    providers.add(p);
    return p;
  }

  private static RevisionImage image(String revision, String version) {
    return new RevisionImage(revision, "unix", BINARY.toString(), null,
        List.of("--version=" + version), 8080, LocalSettings.DEFAULT);
  }

  private static DesiredFleet split(int r1, int r2) {
    Map<String, DesiredFleet.Target> targets = new LinkedHashMap<>();
    targets.put("r1", new DesiredFleet.Target(image("r1", "v1"), r1));
    targets.put("r2", new DesiredFleet.Target(image("r2", "v2"), r2));
    return new DesiredFleet(FLEET, targets);
  }

  /** Instance id to pid, as the state file records them. */
  private Map<String, Long> pids() {
    return new FleetStateStore(stateDir).loadAll().stream()
        .filter(s -> s.fleetId().equals(FLEET))
        .flatMap(s -> s.instances().stream())
        .collect(Collectors.toMap(FleetState.Instance::id, FleetState.Instance::pid));
  }

  private Set<String> ids() {
    return provider.observe(FLEET).instances().stream()
        .map(InstanceView::id).collect(Collectors.toSet());
  }

  private InstanceState stateOf(String id) {
    return provider.observe(FLEET).instances().stream()
        .filter(i -> i.id().equals(id)).map(InstanceView::state).findFirst().orElse(null);
  }

  private void awaitAllRunning(int count) {
    await().atMost(WAIT).untilAsserted(() -> assertThat(provider.observe(FLEET).instances())
        .hasSize(count).allMatch(i -> i.state() == InstanceState.RUNNING));
  }

  private static boolean alive(long pid) {
    return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }

  private static int port(String address) {
    return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
  }

  /**
   * One request on its own connection, so every request is a new choice of the endpoint's
   * round-robin. Returns "status body", or "" when the connection closed without an answer.
   */
  private static String get(String address, String path) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port(address)), 2000);
      s.setSoTimeout(5000);
      OutputStream out = s.getOutputStream();
      out.write(("GET " + path + " HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      String response = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
      if (response.isEmpty()) {
        return "";
      }
      String status = response.substring(9, 12);
      return status + " " + response.substring(response.indexOf("\r\n\r\n") + 4);
    } catch (IOException e) {
      throw new AssertionError("GET " + path + " on " + address + " failed", e);
    }
  }
}
