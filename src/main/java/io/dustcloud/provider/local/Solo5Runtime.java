package io.dustcloud.provider.local;

import io.dustcloud.core.Reason;
import io.dustcloud.provider.ProviderException;
import io.dustcloud.provider.RevisionImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The {@code solo5} runtime: {@code hvt} and {@code spt} artifacts under {@code solo5-hvt} /
 * {@code solo5-spt}, each instance in a network namespace of its own with one tap device,
 * reached through a loopback forward (see {@link Solo5CommandLines}). Only offered where
 * the capability probe found the tenders, namespace and tap permissions and socat.
 */
final class Solo5Runtime implements InstanceRuntime {
  static final String NAME = "solo5";
  private static final Duration SETUP_TIMEOUT = Duration.ofSeconds(10);

  private final ProcessRuntime processes;
  private final HostCommands host;
  private final Supplier<HostCapabilities> capabilities;
  private final ArtifactDigests digests;
  private final Path socketDir;
  private final GuestProbe probe = new GuestProbe();

  Solo5Runtime(ProcessRuntime processes, HostCommands host, Supplier<HostCapabilities> capabilities,
      ArtifactDigests digests, Path socketDir) {
    this.processes = processes;
    this.host = host;
    this.capabilities = capabilities;
    this.digests = digests;
    this.socketDir = socketDir;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String unsupportedReason(RevisionImage image) {
    String reason = capabilities.get().solo5Unsupported(image.format());
    if (reason != null) {
      return reason;
    }
    Path path = UnixArtifacts.path(image);
    if (!Files.isRegularFile(path)) {
      return "artifact " + path + " does not exist or is not a file";
    }
    return digests.mismatch(image, path);
  }

  @Override
  public ProcessRuntime.Started start(String instanceId, RevisionImage image, int port) {
    String ns = Solo5CommandLines.namespace(instanceId);
    for (List<String> step : setup(ns)) {
      HostCommands.Result r = host.run(step, SETUP_TIMEOUT);
      if (!r.ok()) {
        cleanUp(instanceId);
        throw new ProviderException(Reason.START_FAILED, "instance " + instanceId + ": " + String.join(" ", step)
            + " failed: " + r.lastLine(), true);
      }
    }
    try {
      return processes.launch(instanceId, image.revision(), command(instanceId, image, port), Map.of(), port);
    } catch (RuntimeException e) {
      // a start that fails after the namespace exists must not leave it behind
      cleanUp(instanceId);
      throw e;
    }
  }

  /** Namespace, tap, addresses: run before the tender starts. */
  static List<List<String>> setup(String ns) {
    List<List<String>> steps = new java.util.ArrayList<>();
    steps.add(Solo5CommandLines.netnsAdd(ns));
    steps.add(Solo5CommandLines.inNamespace(ns, Solo5CommandLines.tapAdd()));
    Solo5CommandLines.tapConfigure().forEach(c -> steps.add(Solo5CommandLines.inNamespace(ns, c)));
    return steps;
  }

  List<String> command(String instanceId, RevisionImage image, int port) {
    String tender = "hvt".equals(image.format()) ? HostCapabilities.HVT : HostCapabilities.SPT;
    List<String> args = image.bootArgs().stream()
        .map(a -> a.replace(ProcessRuntime.PORT_TOKEN, Integer.toString(image.port())))
        .toList();
    return Solo5CommandLines.instance(Solo5CommandLines.namespace(instanceId), port, socket(instanceId),
        image.port(), Solo5CommandLines.tender(tender, VmShape.of(image.settings()).memoryMiB(),
            UnixArtifacts.path(image), args));
  }

  private Path socket(String instanceId) {
    PrivateFiles.directory(socketDir);
    return socketDir.resolve(instanceId + ".sock");
  }

  /**
   * The namespace (and with it the tap) goes when the instance does, on every path: stopped,
   * replaced after it died on its own, deleted with its fleet, found dead on adoption, or a
   * start that failed midway. Whatever still runs in the namespace (the inner socat and its
   * forks, a tender) is killed first: a namespace is only really gone when no process holds it.
   */
  @Override
  public void cleanUp(String instanceId) {
    String ns = Solo5CommandLines.namespace(instanceId);
    HostCommands.Result pids = host.run(Solo5CommandLines.netnsPids(ns), SETUP_TIMEOUT);
    List<String> left = pids.ok() ? pids.output().lines().map(String::strip).filter(l -> l.matches("\\d+")).toList()
        : List.of();
    if (!left.isEmpty()) {
      List<String> kill = new java.util.ArrayList<>(List.of("kill", "-KILL"));
      kill.addAll(left);
      host.run(kill, SETUP_TIMEOUT);
    }
    host.run(Solo5CommandLines.netnsDelete(ns), SETUP_TIMEOUT);
    try {
      Files.deleteIfExists(socketDir.resolve(instanceId + ".sock"));
    } catch (IOException e) {
      // a stale socket is unlinked by the next listener anyway (unlink-early)
    }
  }

  @Override
  public boolean answers(int port) {
    return probe.answers(port);
  }
}
