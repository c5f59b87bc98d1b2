package io.dustcloud.provider.local;

import io.dustcloud.core.Reason;
import io.dustcloud.provider.ProviderException;
import io.dustcloud.provider.RevisionImage;
import io.dustcloud.provider.Unsupported;
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
 * the capability probe found the tenders, namespace and tap permissions and socat, and only for
 * artifacts whose Solo5 manifest fits what it attaches ({@link #contractViolation}).
 */
final class Solo5Runtime implements InstanceRuntime {
  static final String NAME = "solo5";
  /** The one network device a unikernel may declare: the tender attaches the tap under this name. */
  static final String NET_DEVICE = "service";
  private static final Duration SETUP_TIMEOUT = Duration.ofSeconds(10);

  private final ProcessRuntime processes;
  private final HostCommands host;
  private final Supplier<HostCapabilities> capabilities;
  private final ArtifactDigests digests;
  private final Path socketDir;
  private final String guestIp;
  private final GuestProbe probe = new GuestProbe();

  Solo5Runtime(ProcessRuntime processes, HostCommands host, Supplier<HostCapabilities> capabilities,
      ArtifactDigests digests, Path socketDir) {
    this(processes, host, capabilities, digests, socketDir, Solo5CommandLines.GUEST_IP);
  }

  /**
   * @param guestIp where the forwards reach the guest: {@link Solo5CommandLines#GUEST_IP}, inside
   *     the namespace; tests on hosts without namespaces use a loopback stand-in
   */
  Solo5Runtime(ProcessRuntime processes, HostCommands host, Supplier<HostCapabilities> capabilities,
      ArtifactDigests digests, Path socketDir, String guestIp) {
    this.processes = processes;
    this.host = host;
    this.capabilities = capabilities;
    this.digests = digests;
    this.socketDir = socketDir;
    this.guestIp = guestIp;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String unsupportedReason(RevisionImage image) {
    Unsupported u = unsupported(image);
    return u == null ? null : u.message();
  }

  /** What the host lacks first, then the artifact: missing, another digest, or outside the contract. */
  @Override
  public Unsupported unsupported(RevisionImage image) {
    String reason = capabilities.get().solo5Unsupported(image.format());
    if (reason != null) {
      return Unsupported.of(reason);
    }
    Path path = UnixArtifacts.path(image);
    if (!Files.isRegularFile(path)) {
      return Unsupported.of("artifact " + path + " does not exist or is not a file");
    }
    String mismatch = digests.mismatch(image, path);
    if (mismatch != null) {
      return Unsupported.of(mismatch);
    }
    String broken = contractViolation(path, image.format(), image.bootArgs());
    return broken == null ? null : new Unsupported(Reason.SOLO5_MANIFEST_MISMATCH, broken);
  }

  /**
   * Why the artifact at {@code path} cannot run under this runtime's contract, or null. The
   * runtime attaches exactly one network device, named {@code service}, and no block device, and
   * gives the guest its address with the first boot arguments ({@code --ipv4=10.0.3.2/24
   * --ipv4-gateway=10.0.3.1}); a tender refuses a unikernel that declares any device it was not
   * given, so such a unikernel would exit at once, over and over. An ELF file without a manifest
   * (Solo5 before 0.6) is let through: only the tender can judge it.
   */
  static String contractViolation(Path path, String format, List<String> bootArgs) {
    String fix = "; the solo5 runtime attaches exactly one network device, named '" + NET_DEVICE
        + "' (" + Solo5CommandLines.TAP + "), and no block device (see docs/local-runtimes.md)";
    Solo5Manifest.Read read = Solo5Manifest.read(path);
    if (read instanceof Solo5Manifest.Unreadable u) {
      return "artifact " + path + " is not a Solo5 unikernel this runtime can check: " + u.problem();
    }
    if (read instanceof Solo5Manifest.Found f) {
      if (f.target() != null && !f.target().equals(format)) {
        // a tender refuses another target's ABI: say so before it does, with both ways out
        return "artifact " + path + " was built for Solo5's '" + f.target() + "' target (its ABI note), but"
            + " spec.image.format is '" + format + "': build it for " + format + ", or set the format to the"
            + " one it was built for";
      }
      List<String> nets = f.manifest().of(Solo5Manifest.Kind.NET).stream().map(Solo5Manifest.Device::name).toList();
      List<String> blocks = f.manifest().of(Solo5Manifest.Kind.BLOCK).stream().map(Solo5Manifest.Device::name).toList();
      if (!blocks.isEmpty()) {
        return "artifact " + path + "'s Solo5 manifest declares block device(s) " + quoted(blocks) + fix;
      }
      if (nets.isEmpty()) {
        return "artifact " + path + "'s Solo5 manifest declares no network device" + fix;
      }
      if (nets.size() > 1) {
        return "artifact " + path + "'s Solo5 manifest declares " + nets.size() + " network devices " + quoted(nets) + fix;
      }
      if (!nets.get(0).equals(NET_DEVICE)) {
        return "artifact " + path + "'s Solo5 manifest names its network device " + quoted(nets) + fix;
      }
    }
    for (String arg : bootArgs) {
      for (String given : Solo5CommandLines.addressArgs(Solo5CommandLines.GUEST_IP)) {
        String flag = given.substring(0, given.indexOf('=') + 1);
        if (arg.startsWith(flag) && !arg.equals(given)) {
          return "bootArgs set " + arg + ", but the solo5 runtime gives the guest " + given
              + " (the tap in its namespace is " + Solo5CommandLines.TAP_ADDRESS + "); remove it from bootArgs";
        }
      }
    }
    return null;
  }

  private static String quoted(List<String> names) {
    return names.stream().map(n -> "'" + n + "'").collect(java.util.stream.Collectors.joining(", "));
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
    // by the paths the capability probe found: the instance must not depend on the JVM's PATH
    return Solo5CommandLines.instance(Solo5CommandLines.namespace(instanceId), port, socket(instanceId),
        guestIp + ":" + image.port(), program("ip"), program("socat"),
        Solo5CommandLines.tender(program(tender), VmShape.of(image.settings()).memoryMiB(),
            UnixArtifacts.path(image), args));
  }

  private String program(String name) {
    return host.which(name).map(Path::toString).orElse(name);
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
    // the script stops its children itself, unless it was SIGKILLed: then the host-side forward
    // (and its connection children) still run outside the namespace, found only by their mark
    List<ProcessHandle> marked = InstanceMarker.marked(List.of(instanceId));
    marked.forEach(ProcessHandle::destroyForcibly);
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
