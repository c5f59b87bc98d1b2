package io.dustcloud.provider.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dustcloud.provider.DesiredFleet;
import io.dustcloud.provider.FleetId;
import io.dustcloud.provider.FleetObservation;
import io.dustcloud.provider.InstanceState;
import io.dustcloud.provider.InstanceView;
import io.dustcloud.provider.RevisionImage;
import io.dustcloud.testing.ExampleApp;
import io.dustcloud.testing.ExampleVmImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The provider contract against real QEMU guests (TCG here, ~2-3 s per boot): the example
 * app as PID 1 of a Debian-kernel microVM. At most 2 guests at a time, to stay well within
 * memory and the 2 shared cores.
 */
class QemuProviderTest {
  private static final FleetId FLEET = new FleetId("default", "hello-vm");
  private static final Duration BOOT = Duration.ofSeconds(40);
  private static ExampleVmImage.Built vm;

  @TempDir Path stateDir;
  private LocalProvider provider;

  @BeforeAll
  static void image() {
    vm = ExampleVmImage.require();
  }

  @AfterEach
  void cleanUp() {
    if (provider != null) {
      provider.close();
    }
    ExampleApp.killDescendants();
  }

  @Test
  void createServeAdoptReplaceRollDelete() {
    provider = new LocalProvider(stateDir);
    FleetObservation obs = provider.realize(DesiredFleet.single(FLEET, image("r1", "v1"), 2));
    assertThat(obs.instances()).hasSize(2).allMatch(i -> i.address().startsWith("127.0.0.1:"));
    assertThat(ExampleVmImage.qemuProcesses()).isEqualTo(2);

    awaitAnswering(2, "hello from hello v1");
    // the provider learns a guest answers from its own asynchronous check: the first observe after
    // the guest's first answer may still say STARTING
    await().atMost(java.time.Duration.ofSeconds(30)).untilAsserted(() ->
        assertThat(provider.observe(FLEET).instances()).allMatch(i -> i.state() == InstanceState.RUNNING));
    provider.updateReady(FLEET, ids());
    assertThat(ExampleApp.get(obs.endpoint().orElseThrow(), "/")).isEqualTo("hello from hello v1\n");
    String first = obs.instances().get(0).id();
    assertThat(provider.logFile(first)).content()
        .as("the serial console is in the instance log").contains("listening on 0.0.0.0:8080");
    assertThat(state().instances()).allMatch(i -> i.runtime().equals("qemu"));

    // an operator restart: the successor adopts the running guests instead of booting new ones
    Map<String, Long> pids = pids();
    provider.close();
    provider = new LocalProvider(stateDir);
    assertThat(provider.realize(DesiredFleet.single(FLEET, image("r1", "v1"), 2)).instances())
        .extracting(InstanceView::id).containsExactlyInAnyOrderElementsOf(pids.keySet());
    assertThat(pids()).isEqualTo(pids);

    provider.replace(FLEET, List.of(first));
    assertThat(alive(pids.get(first))).isFalse();
    assertThat(ids()).hasSize(2).doesNotContain(first);
    awaitAnswering(2, "hello from hello v1");

    // roll to a second build: other boot args on the kernel command line
    provider.realize(DesiredFleet.single(FLEET, image("r2", "v2"), 2));
    assertThat(ExampleVmImage.qemuProcesses()).isEqualTo(2);
    awaitAnswering(2, "hello from hello v2");
    provider.updateReady(FLEET, ids());
    assertThat(ExampleApp.get(provider.observe(FLEET).endpoint().orElseThrow(), "/")).isEqualTo("hello from hello v2\n");

    provider.delete(FLEET);
    assertThat(ExampleVmImage.qemuProcesses()).as("no QEMU left after delete").isZero();
    assertThat(provider.observe(FLEET).instances()).isEmpty();
  }

  @Test
  void aGuestWhoseAppExitsEndsQemuAndShowsFailed() throws Exception {
    provider = new LocalProvider(stateDir);
    // an unknown flag makes the app (PID 1) exit; panic=-1 and -no-reboot then end QEMU
    InstanceView i = provider.realize(DesiredFleet.single(FLEET, image("bad", "v1", "--no-such-flag"), 1))
        .instances().get(0);

    await().atMost(BOOT).until(() -> stateOf(i.id()) == InstanceState.FAILED);
    assertThat(ExampleVmImage.qemuProcesses()).isZero();
    assertThat(Files.readString(provider.logFile(i.id()))).contains("invalid argument '--no-such-flag'");
    // the console's end (for a Linux guest, the panic after PID 1 exited)
    assertThat(provider.consoleTail(FLEET, i.id(), 5, 1024)).isNotEmpty();
    // kept, not restarted, until the supervisor's backoff says so
    provider.realize(DesiredFleet.single(FLEET, image("bad", "v1", "--no-such-flag"), 1));
    assertThat(stateOf(i.id())).isEqualTo(InstanceState.FAILED);
    assertThat(ExampleVmImage.qemuProcesses()).isZero();
  }

  private RevisionImage image(String revision, String version, String... extra) {
    List<String> args = new java.util.ArrayList<>(List.of("--version=" + version));
    args.addAll(List.of(extra));
    return new RevisionImage(revision, "virtio", vm.artifact().toString(), vm.sha256(), args, 8080,
        new LocalSettings("qemu", 128, 1));
  }

  /** Every instance answers HTTP 200 with {@code body} on its own address. */
  private void awaitAnswering(int count, String body) {
    await().atMost(BOOT).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
      List<InstanceView> instances = provider.observe(FLEET).instances();
      assertThat(instances).hasSize(count);
      for (InstanceView i : instances) {
        assertThat(ExampleApp.get(i.address(), "/health")).as("/health of %s", i.id()).isEqualTo("ok\n");
        assertThat(ExampleApp.get(i.address(), "/")).isEqualTo(body + "\n");
      }
    });
  }

  private FleetState state() {
    return new FleetStateStore(stateDir).loadAll().get(0);
  }

  private Map<String, Long> pids() {
    return state().instances().stream().collect(Collectors.toMap(FleetState.Instance::id, FleetState.Instance::pid));
  }

  private Set<String> ids() {
    return provider.observe(FLEET).instances().stream().map(InstanceView::id).collect(Collectors.toSet());
  }

  private InstanceState stateOf(String id) {
    return provider.observe(FLEET).instances().stream()
        .filter(i -> i.id().equals(id)).map(InstanceView::state).findFirst().orElse(null);
  }

  private static boolean alive(long pid) {
    return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }
}
