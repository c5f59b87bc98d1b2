package io.dustcloud.provider.local;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The QEMU command line of one instance, as a pure value so it is tested without QEMU.
 *
 * <p>Choices that matter: user-mode networking with one {@code hostfwd} from a loopback port
 * (no tap, no root, never on the host's network); no {@code -daemonize} (it leaves zombies
 * and hides the pid we must own); {@code -no-reboot} so a guest that panics or powers off
 * ends QEMU, which the provider then sees as a failed instance; the serial console appended
 * to the instance log.
 *
 * @param accel {@code kvm} or {@code tcg}, as {@link KvmVerdicts} decided for the guest's kind
 * @param tscKhz host TSC frequency for Linux guests (0: unknown); without it several
 *     microVMs booting at once on few cores hang at "Marking TSC unstable"
 */
record QemuCommandLine(
    String qemu,
    String name,
    VmImage image,
    String accel,
    int memoryMiB,
    int cpus,
    long tscKhz,
    int hostPort,
    int guestPort,
    List<String> bootArgs,
    Path console) {

  QemuCommandLine {
    bootArgs = List.copyOf(bootArgs);
  }

  List<String> toList() {
    boolean linux = image.kind() == VmImage.Kind.LINUX;
    List<String> c = new ArrayList<>(List.of(qemu, "-name", name,
        // Solo5's virtio target has no ACPI: acpi=off keeps SeaBIOS from waiting on it
        "-M", linux ? "microvm" : "pc,acpi=off",
        "-accel", accel, "-cpu", "kvm".equals(accel) ? "host" : "max",
        "-m", memoryMiB + "m", "-smp", Integer.toString(cpus),
        "-nodefaults", "-no-user-config", "-display", "none",
        "-kernel", image.kernel().toString()));
    if (linux) {
      c.addAll(List.of("-initrd", image.initrd().toString()));
    }
    c.addAll(List.of("-append", kernelCommandLine(),
        "-chardev", "file,id=console,path=" + console + ",append=on", "-serial", "chardev:console",
        "-netdev", "user,id=n0,hostfwd=tcp:" + PortAllocator.LOOPBACK.getHostAddress() + ":" + hostPort + "-:" + guestPort,
        "-device", (linux ? "virtio-net-device" : "virtio-net-pci") + ",netdev=n0",
        "-no-reboot"));
    return c;
  }

  /**
   * Linux: kernel options, then {@code PORT=} (unknown {@code key=value} words become init's
   * environment), then the boot args after {@code --} (init's argv). Multiboot unikernels
   * get the boot args verbatim.
   */
  String kernelCommandLine() {
    List<String> args = new ArrayList<>();
    if (image.kind() == VmImage.Kind.LINUX) {
      args.addAll(List.of("console=ttyS0", "quiet", "panic=-1"));
      if (tscKhz > 0) {
        args.addAll(List.of("tsc_early_khz=" + tscKhz, "tsc=reliable"));
      }
      args.add("PORT=" + guestPort);
      args.add("--");
    }
    args.addAll(bootArgs);
    return String.join(" ", args);
  }
}
