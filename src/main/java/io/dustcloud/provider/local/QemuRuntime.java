package io.dustcloud.provider.local;

import io.dustcloud.core.Reason;
import io.dustcloud.provider.ProviderException;
import io.dustcloud.provider.RevisionImage;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The {@code qemu} runtime: {@code virtio} artifacts as QEMU guests, one QEMU process per
 * instance in the foreground, owned like any instance process. QEMU is stopped by signal:
 * virtio guests have no ACPI power-off to ask politely, and QEMU exits at once on SIGTERM.
 */
final class QemuRuntime implements InstanceRuntime {
  static final String NAME = "qemu";

  private final ProcessRuntime processes;
  private final VmArtifacts artifacts;
  private final Supplier<HostCapabilities> capabilities;
  private final GuestProbe probe = new GuestProbe();
  private final KvmVerdicts kvm;

  QemuRuntime(ProcessRuntime processes, VmArtifacts artifacts, Supplier<HostCapabilities> capabilities,
      KvmVerdicts kvm) {
    this.processes = processes;
    this.artifacts = artifacts;
    this.capabilities = capabilities;
    this.kvm = kvm;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String unsupportedReason(RevisionImage image) {
    String host = capabilities.get().qemuUnsupported();
    return host != null ? host : artifacts.unsupportedReason(image);
  }

  @Override
  public ProcessRuntime.Started start(String instanceId, RevisionImage image, int port) {
    VmImage vm;
    try {
      vm = artifacts.resolve(image);
    } catch (IOException e) {
      throw new ProviderException(Reason.UNSUPPORTED_IMAGE, "cannot unpack " + image.artifact() + ": " + e.getMessage(), false, e);
    }
    List<String> command = commandLine(instanceId, image, vm, port).toList();
    return processes.launch(instanceId, image.revision(), command, Map.of(), port);
  }

  QemuCommandLine commandLine(String instanceId, RevisionImage image, VmImage vm, int port) {
    HostCapabilities host = capabilities.get();
    VmShape shape = VmShape.of(image.settings());
    // inside the guest the app listens on the spec's port; {port} means that one here
    List<String> args = image.bootArgs().stream()
        .map(a -> a.replace(ProcessRuntime.PORT_TOKEN, Integer.toString(image.port())))
        .toList();
    return line(host, instanceId, vm, kvm.accel(host, vm.kind(), () -> line(host, instanceId, vm, "kvm", shape, port,
        image.port(), args)), shape, port, image.port(), args);
  }

  private QemuCommandLine line(HostCapabilities host, String instanceId, VmImage vm, String accel, VmShape shape,
      int port, int guestPort, List<String> args) {
    return new QemuCommandLine(host.qemu().toString(), instanceId, vm, accel, shape.memoryMiB(), shape.cpus(),
        host.tscKhz(), port, guestPort, args, processes.logFile(instanceId));
  }

  @Override
  public boolean answers(int port) {
    return probe.answers(port);
  }
}
