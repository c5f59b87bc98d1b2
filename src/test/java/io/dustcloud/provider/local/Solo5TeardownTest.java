package io.dustcloud.provider.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.dustcloud.provider.DesiredFleet;
import io.dustcloud.provider.FleetId;
import io.dustcloud.provider.InstanceState;
import io.dustcloud.provider.InstanceView;
import io.dustcloud.provider.RevisionImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A local provider running Solo5 instances (stand-in tenders, real socat, real namespaces where the
 * host allows them: see {@link Solo5Rig}) removes each instance's namespace, tap, forwards and
 * socket in every way an instance ends: its tender exits on its own, the operator restarts (a new
 * provider adopts the state, or cleans up after an instance that died meanwhile), the fleet is
 * deleted.
 */
class Solo5TeardownTest {
  private static final FleetId FLEET = new FleetId("default", "solo");
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path dir;
  private Solo5Rig rig;
  private Path ctl;
  private RevisionImage image;
  private final List<LocalProvider> providers = new ArrayList<>();
  private final List<String> seen = new ArrayList<>();

  @BeforeEach
  void rig() throws Exception {
    assumeTrue(Solo5Rig.socat().isPresent(), "socat is not installed (apt-get install socat; .ci/run installs it)");
    rig = Solo5Rig.create(dir, Solo5Rig.namespacesWork());
    ctl = Files.createDirectories(dir.resolve("ctl"));
    Files.createFile(ctl.resolve("listen"));
    // inside a real namespace the guest has the port to itself; on loopback it needs a free one
    int guestPort = rig.realNamespaces ? 8080 : new PortAllocator().allocate();
    Path kernel = Files.write(dir.resolve("hello.spt"), Solo5Elf.withManifest(List.of(Solo5Elf.Entry.net("service"))));
    image = new RevisionImage("r1", "spt", kernel.toString(), null, rig.bootArgs(ctl, guestPort), guestPort,
        LocalSettings.DEFAULT);
  }

  @AfterEach
  void close() {
    providers.forEach(LocalProvider::close);
    InstanceMarker.marked(seen).forEach(ProcessHandle::destroyForcibly);
    if (rig != null && rig.realNamespaces) {
      seen.forEach(id -> HostCommands.onPath(Solo5Rig.SYSTEM_PATH)
          .run(Solo5CommandLines.netnsDelete(Solo5CommandLines.namespace(id)), Duration.ofSeconds(5)));
    }
  }

  @Test
  void aTenderThatExitsOnItsOwnLeavesAFailedInstanceAndNothingElse() throws Exception {
    LocalProvider provider = provider();
    InstanceView i = startOne(provider);

    Files.createFile(ctl.resolve("exit"));

    await().atMost(WAIT).until(() -> provider.observe(FLEET).instances().get(0).state() == InstanceState.FAILED);
    awaitNothingLeft(i);
    provider.delete(FLEET);
    awaitNothingLeft(i);
  }

  @Test
  void aRestartedProviderAdoptsTheInstanceAndDeletingTheFleetRemovesEverything() throws Exception {
    LocalProvider first = provider();
    InstanceView i = startOne(first);
    first.close();

    LocalProvider second = provider();
    assertThat(second.observe(FLEET).instances()).extracting(InstanceView::id).containsExactly(i.id());
    assertThat(Solo5Rig.namespaceExists(Solo5CommandLines.namespace(i.id()))).isEqualTo(rig.realNamespaces);
    second.delete(FLEET);

    awaitNothingLeft(i);
  }

  @Test
  void aRestartedProviderCleansUpAfterAnInstanceKilledWhileItWasDown() throws Exception {
    LocalProvider first = provider();
    InstanceView i = startOne(first);
    first.close();
    // SIGKILL: the script cannot stop its forwards or delete its namespace
    ProcessHandle script = ProcessHandle.current().children()
        .filter(p -> InstanceMarker.marks(p, i.id())).findFirst().orElseThrow();
    script.destroyForcibly();
    script.onExit().join();
    assertThat(InstanceMarker.marked(List.of(i.id()))).as("what the killed script left").isNotEmpty();

    LocalProvider second = provider();

    assertThat(second.observe(FLEET).instances()).isEmpty();
    awaitNothingLeft(i);
  }

  @Test
  void deletingTheFleetRemovesNamespaceTapForwardsAndSocket() throws Exception {
    LocalProvider provider = provider();
    InstanceView i = startOne(provider);

    provider.delete(FLEET);

    awaitNothingLeft(i);
  }

  private LocalProvider provider() throws Exception {
    Path kvm = dir.resolve("kvm");
    if (!Files.exists(kvm)) {
      Files.createFile(kvm);
    }
    LocalProvider p = new LocalProvider(dir.resolve("state"), Duration.ofSeconds(1), rig.host, kvm, Duration.ZERO);
    providers.add(p);
    return p;
  }

  /** One instance, started and answering through its forwards. */
  private InstanceView startOne(LocalProvider provider) {
    assertThat(provider.unsupportedReason(image)).isNull();
    provider.realize(DesiredFleet.single(FLEET, image, 1));
    await().atMost(WAIT).until(() -> provider.observe(FLEET).instances().stream()
        .anyMatch(v -> v.state() == InstanceState.RUNNING));
    InstanceView i = provider.observe(FLEET).instances().get(0);
    seen.add(i.id());
    assertThat(Solo5Rig.namespaceExists(Solo5CommandLines.namespace(i.id()))).isEqualTo(rig.realNamespaces);
    return i;
  }

  private void awaitNothingLeft(InstanceView i) {
    String ns = Solo5CommandLines.namespace(i.id());
    int port = Integer.parseInt(i.address().substring(i.address().lastIndexOf(':') + 1));
    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(InstanceMarker.marked(List.of(i.id())).stream()
          .map(p -> p.pid() + " " + p.info().commandLine().orElse("?")))
          .as("processes of instance %s still running", i.id()).isEmpty();
      assertThat(Solo5Rig.namespaceExists(ns)).as("namespace %s (and its tap) still exists", ns).isFalse();
      assertThat(ProcessRuntime.accepts(port)).as("the forward on port %d still accepts", port).isFalse();
    });
    assertThat(dir.resolve("state/sockets").resolve(i.id() + ".sock")).doesNotExist();
  }
}
