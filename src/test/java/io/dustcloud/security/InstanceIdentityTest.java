package io.dustcloud.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dustcloud.provider.DesiredFleet;
import io.dustcloud.provider.FleetId;
import io.dustcloud.provider.InstanceView;
import io.dustcloud.provider.RevisionImage;
import io.dustcloud.provider.local.LocalProvider;
import io.dustcloud.provider.local.LocalSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16, part 3: the local provider signals only processes it started (recorded pid, start
 * time and the {@code DUSTCLOUD_INSTANCE_ID} mark), never one found by its working directory,
 * and its state is private. Each attack runs next to a bystander fleet whose instance must be
 * adopted and stopped as before. Real processes, but fast: the default suite runs them.
 */
class InstanceIdentityTest {
  private static final Path BINARY = Path.of("examples/hello/hello").toAbsolutePath();
  private static final FleetId VICTIM = new FleetId("default", "victim");
  private static final FleetId BYSTANDER = new FleetId("default", "bystander");
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;
  private final List<LocalProvider> providers = new ArrayList<>();
  private final List<Process> others = new ArrayList<>();

  @BeforeAll
  static void buildExample() throws Exception {
    Process make = new ProcessBuilder("make", "-s", "-C", "examples/hello").redirectErrorStream(true).start();
    String output = new String(make.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(make.waitFor()).as("make output: %s", output).isZero();
  }

  /** Every process here is a descendant of this JVM, so none outlives the test. */
  @AfterEach
  void cleanUp() {
    providers.forEach(LocalProvider::close);
    others.forEach(Process::destroyForcibly);
    List<ProcessHandle> children = ProcessHandle.current().descendants().toList();
    children.forEach(ProcessHandle::destroyForcibly);
    children.forEach(h -> h.onExit().join());
  }

  /**
   * The README sends people to the instances directory to read logs: a shell or a {@code tail -f}
   * there used to be SIGKILLed as an "unrecorded instance" by the next provider.
   */
  @Test
  void processesOpenedInTheInstancesDirectorySurviveARestartTheReapAndStopAll() throws Exception {
    Path state = tmp.resolve("state");
    LocalProvider first = provider(state);
    first.realize(DesiredFleet.single(BYSTANDER, image("r1"), 1));
    long bystander = pid(first, BYSTANDER);
    String bystanderId = first.observe(BYSTANDER).instances().get(0).id();
    first.close();
    Path instances = state.resolve("instances");
    Process shell = start(instances, "sleep", "300");
    Process tail = start(instances, "tail", "-f", first.logFile(bystanderId).toString());

    LocalProvider second = provider(state); // adopts and reaps, as every restart does
    second.stopAll(); // what dev mode does at start

    assertThat(shell.isAlive()).as("sleep with its cwd in the instances directory").isTrue();
    assertThat(tail.isAlive()).as("tail -f of an instance log").isTrue();
    await().atMost(WAIT).until(() -> !alive(bystander));
  }

  /**
   * The recorded pid now runs another program that started at the recorded time (the start time
   * alone cannot tell it apart within its tolerance): it lacks the instance's mark, so it is
   * neither adopted nor signalled, and the instance is forgotten.
   */
  @Test
  void aRecordedPidReusedByAnotherProcessIsForgottenNotSignalled() throws Exception {
    Path state = tmp.resolve("state");
    LocalProvider first = provider(state);
    first.realize(DesiredFleet.single(VICTIM, image("r1"), 1));
    first.realize(DesiredFleet.single(BYSTANDER, image("r1"), 1));
    long victim = pid(first, VICTIM);
    long bystander = pid(first, BYSTANDER);
    first.close();
    ProcessHandle.of(victim).ifPresent(ProcessHandle::destroyForcibly);
    await().atMost(WAIT).until(() -> !alive(victim));
    Process reuser = start(tmp, "sleep", "300");
    Instant reuserStart = reuser.toHandle().info().startInstant().orElseThrow();
    pointStateAt(state, VICTIM, reuser.pid(), reuserStart);

    LocalProvider second = provider(state);

    assertThat(second.observe(VICTIM).instances()).as("the instance is forgotten").isEmpty();
    assertThat(second.observe(BYSTANDER).instances()).extracting(InstanceView::id).hasSize(1);
    second.realize(DesiredFleet.single(VICTIM, image("r1"), 0));
    second.stopAll();
    assertThat(reuser.isAlive()).as("the process that reused the pid").isTrue();
    await().atMost(WAIT).until(() -> !alive(bystander));
  }

  @Test
  void theStateTreeInstanceLogsAndStateFilesArePrivate() throws Exception {
    Path state = tmp.resolve("state");
    LocalProvider provider = provider(state);
    provider.realize(DesiredFleet.single(BYSTANDER, image("r1"), 1));
    String id = provider.observe(BYSTANDER).instances().get(0).id();

    assertThat(mode(state)).isEqualTo("rwx------");
    assertThat(mode(state.resolve("fleets"))).isEqualTo("rwx------");
    assertThat(mode(state.resolve("instances"))).isEqualTo("rwx------");
    assertThat(mode(stateFile(state, BYSTANDER))).isEqualTo("rw-------");
    assertThat(mode(provider.logFile(id))).isEqualTo("rw-------");
  }

  /** State an older operator left readable by everyone is tightened when a provider starts over it. */
  @Test
  void aLooserStateTreeIsTightenedAtStart() throws Exception {
    Path state = tmp.resolve("state");
    Path instances = Files.createDirectories(state.resolve("instances"));
    Path oldLog = Files.writeString(instances.resolve("r0-old.log"), "secret\n");
    Files.setPosixFilePermissions(state, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.setPosixFilePermissions(instances, PosixFilePermissions.fromString("rwxrwxrwx"));
    Files.setPosixFilePermissions(oldLog, PosixFilePermissions.fromString("rw-r--r--"));

    provider(state);

    assertThat(mode(state)).isEqualTo("rwx------");
    assertThat(mode(instances)).isEqualTo("rwx------");
    // the old log itself stays as it was, but nobody else can reach it through the 0700 directories
    assertThat(Files.readString(oldLog)).isEqualTo("secret\n");
  }

  /** A shared directory like /tmp is refused with the reason, not chmodded to 0700 under everyone. */
  @Test
  void aSharedStateDirectoryIsRefused() throws Exception {
    Path shared = Files.createDirectories(tmp.resolve("shared"));
    assertThat(new ProcessBuilder("chmod", "1777", shared.toString()).start().waitFor()).isZero();

    assertThatThrownBy(() -> provider(shared))
        .isInstanceOf(UncheckedIOException.class)
        .hasMessageContaining(shared.toString())
        .hasMessageContaining("sticky bit");
    assertThat(mode(shared)).isEqualTo("rwxrwxrwx");
  }

  private LocalProvider provider(Path state) {
    LocalProvider p = new LocalProvider(state, Duration.ofSeconds(2));
    providers.add(p);
    return p;
  }

  private Process start(Path dir, String... command) throws IOException {
    Process p = new ProcessBuilder(command).directory(dir.toFile())
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectErrorStream(true).start();
    others.add(p);
    return p;
  }

  private static RevisionImage image(String revision) {
    return new RevisionImage(revision, "unix", BINARY.toString(), null, List.of("--version=v1"), 8080,
        LocalSettings.DEFAULT);
  }

  /** The pid of the fleet's only instance, as its state file records it. */
  private static long pid(LocalProvider provider, FleetId fleet) throws IOException {
    assertThat(provider.observe(fleet).instances()).hasSize(1);
    return JSON.readTree(stateFile(stateDirOf(provider), fleet).toFile()).get("instances").get(0).get("pid").asLong();
  }

  private static Path stateDirOf(LocalProvider provider) {
    // logFile is <state>/instances/<id>.log
    return provider.logFile("x").getParent().getParent();
  }

  private static Path stateFile(Path state, FleetId fleet) throws IOException {
    try (Stream<Path> files = Files.list(state.resolve("fleets"))) {
      return files.filter(f -> f.toString().endsWith(".json")).filter(f -> {
        try {
          return JSON.readTree(f.toFile()).get("name").asText().equals(fleet.name());
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }).findFirst().orElseThrow();
    }
  }

  /** What an attacker who could write the state file, or plain pid reuse, leads to. */
  private static void pointStateAt(Path state, FleetId fleet, long pid, Instant start) throws IOException {
    Path file = stateFile(state, fleet);
    ObjectNode root = (ObjectNode) JSON.readTree(file.toFile());
    ObjectNode instance = (ObjectNode) root.get("instances").get(0);
    instance.put("pid", pid);
    instance.put("processStart", start.toString());
    JSON.writeValue(file.toFile(), root);
  }

  private static String mode(Path p) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
  }

  private static boolean alive(long pid) {
    return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }
}
