package io.dustcloud.provider.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What this host can boot, decided by trying rather than by looking: {@code /dev/kvm} may
 * exist and still fail every guest (a nested, software KVM does), so acceleration is a
 * trial boot. Probed once per provider; the result is a value, so tests can build one.
 *
 * @param rows one row per capability, in table order
 * @param qemu the QEMU binary, null when there is none
 * @param accel {@code kvm} when a KVM trial boot succeeded, else {@code tcg}
 * @param tscKhz the host's TSC frequency in kHz, or 0 when unknown (passed to Linux guests,
 *     which otherwise hang calibrating the TSC when several boot at once)
 */
record HostCapabilities(List<Row> rows, Path qemu, String accel, long tscKhz) {
  static final String QEMU = "qemu-system-x86_64";
  static final String HVT = "solo5-hvt";
  static final String SPT = "solo5-spt";

  /** One line of the doctor table: a "no" always carries the reason. */
  record Row(String name, boolean yes, String detail) {}

  HostCapabilities {
    rows = List.copyOf(rows);
  }

  Optional<Row> row(String name) {
    return rows.stream().filter(r -> r.name().equals(name)).findFirst();
  }

  private boolean yes(String name) {
    return row(name).map(Row::yes).orElse(false);
  }

  private String reason(String name) {
    return row(name).map(Row::detail).orElse(name + " was not probed");
  }

  /** Why a virtio image cannot boot here, or null. */
  String qemuUnsupported() {
    if (!yes("qemu")) {
      return "this host cannot run the qemu runtime: " + reason("qemu");
    }
    if (!yes("qemu-tcg") && !yes("qemu-kvm")) {
      return "this host cannot boot QEMU guests: " + reason("qemu-tcg") + "; " + reason("qemu-kvm");
    }
    return null;
  }

  /** Why an {@code hvt} or {@code spt} image cannot boot here, or null. */
  String solo5Unsupported(String format) {
    String tender = "hvt".equals(format) ? HVT : SPT;
    List<String> missing = new ArrayList<>();
    for (String need : List.of(tender, "netns-tap", "socat")) {
      if (!yes(need)) {
        missing.add(reason(need));
      }
    }
    if ("hvt".equals(format) && !yes("kvm-device")) {
      missing.add(reason("kvm-device"));
    }
    return missing.isEmpty() ? null
        : "this host cannot run the solo5 runtime for '" + format + "': " + String.join("; ", missing);
  }

  /** The table {@code dustcloud doctor} prints. */
  String table() {
    int width = rows.stream().mapToInt(r -> r.name().length()).max().orElse(10) + 2;
    String header = String.format("%-" + width + "s%-5s%s", "CAPABILITY", "OK", "DETAIL");
    return rows.stream()
        .map(r -> String.format("%-" + width + "s%-5s%s", r.name(), r.yes() ? "yes" : "no", r.detail()))
        .collect(Collectors.joining("\n", header + "\n", "\n"))
        + "\n" + formats();
  }

  /** Which artifact formats boot here, and on which runtime: the summary a person looks for. */
  private String formats() {
    String qemuNo = qemuUnsupported();
    String[][] lines = {
        {"unix", "process", "yes"},
        {"virtio", "qemu", qemuNo == null ? "yes (" + accel + ")" : "no: " + qemuNo},
        {"hvt", "solo5", no(solo5Unsupported("hvt"))},
        {"spt", "solo5", no(solo5Unsupported("spt"))}};
    StringBuilder b = new StringBuilder(String.format("%-8s%-9s%s%n", "FORMAT", "RUNTIME", "BOOTS HERE"));
    for (String[] l : lines) {
      b.append(String.format("%-8s%-9s%s%n", (Object[]) l));
    }
    return b.toString();
  }

  private static String no(String reason) {
    return reason == null ? "yes" : "no: " + reason;
  }

  /** Runs every probe; {@code scratch} holds the trial-boot firmware. */
  static HostCapabilities probe(HostCommands host, Path scratch, Path kvmDevice) {
    List<Row> rows = new ArrayList<>();
    rows.add(new Row("process", true, "unix artifacts run as child processes"));

    Optional<Path> qemu = host.which(QEMU);
    boolean kvm = false;
    if (qemu.isEmpty()) {
      rows.add(new Row("qemu", false, QEMU + " not found on PATH (Debian: apt-get install qemu-system-x86)"));
      rows.add(new Row("qemu-tcg", false, "needs " + QEMU));
      rows.add(new Row("qemu-kvm", false, "needs " + QEMU));
    } else {
      HostCommands.Result version = host.run(List.of(qemu.get().toString(), "--version"), Duration.ofSeconds(10));
      rows.add(new Row("qemu", version.ok(), qemu.get() + (version.ok()
          ? " (" + version.output().lines().findFirst().orElse("").strip() + ")"
          : " does not run: " + version.lastLine())));
      Path firmware = TrialBoot.writeFirmware(scratch);
      rows.add(trial(host, qemu.get(), firmware, "tcg"));
      if (!Files.exists(kvmDevice)) {
        rows.add(new Row("qemu-kvm", false, kvmDevice + " does not exist; guests run under TCG"));
      } else if (!Files.isReadable(kvmDevice) || !Files.isWritable(kvmDevice)) {
        rows.add(new Row("qemu-kvm", false, kvmDevice + " is not readable and writable by this user; guests run under TCG"));
      } else {
        Row r = trial(host, qemu.get(), firmware, "kvm");
        kvm = r.yes();
        rows.add(r.yes() ? r : new Row(r.name(), false, r.detail() + "; guests run under TCG"));
      }
    }

    rows.add(onPath(host, HVT, "Solo5 hvt tender (opam install solo5, or a release tarball)"));
    rows.add(onPath(host, SPT, "Solo5 spt tender (opam install solo5, or a release tarball)"));
    rows.add(Files.isReadable(kvmDevice) && Files.isWritable(kvmDevice)
        ? new Row("kvm-device", true, kvmDevice + " is accessible (needed by solo5-hvt)")
        : new Row("kvm-device", false, kvmDevice + " is missing or not accessible (needed by solo5-hvt)"));
    rows.add(netnsTap(host));
    rows.add(onPath(host, "socat", "loopback forward into a Solo5 guest's network namespace"));
    return new HostCapabilities(rows, qemu.orElse(null), kvm ? "kvm" : "tcg", hostTscKhz());
  }

  private static Row onPath(HostCommands host, String program, String what) {
    return host.which(program)
        .map(p -> new Row(program, true, p + ": " + what))
        .orElseGet(() -> new Row(program, false, program + " not found on PATH: " + what));
  }

  private static Row trial(HostCommands host, Path qemu, Path firmware, String accel) {
    long t0 = System.nanoTime();
    HostCommands.Result r = host.run(TrialBoot.command(qemu.toString(), firmware, accel), TrialBoot.TIMEOUT);
    long ms = (System.nanoTime() - t0) / 1_000_000;
    String name = "qemu-" + accel;
    if (r.exitCode() == TrialBoot.SUCCESS_EXIT) {
      return new Row(name, true, "trial boot under " + accel.toUpperCase() + " ran guest code in " + ms + " ms");
    }
    return new Row(name, false, "trial boot under " + accel.toUpperCase() + " failed (exit " + r.exitCode() + "): "
        + firstErrorLine(r.output()));
  }

  private static String firstErrorLine(String output) {
    return output.lines().map(String::strip).filter(l -> !l.isEmpty()).findFirst().orElse("no output");
  }

  /** Creating a namespace with a tap inside is the only reliable test of the permissions it takes. */
  static Row netnsTap(HostCommands host) {
    if (host.which("ip").isEmpty()) {
      return new Row("netns-tap", false, "ip (iproute2) not found on PATH");
    }
    String ns = "dustcloud-probe-" + ProcessHandle.current().pid();
    Duration t = Duration.ofSeconds(5);
    HostCommands.Result add = host.run(Solo5CommandLines.netnsAdd(ns), t);
    if (!add.ok()) {
      return new Row("netns-tap", false, "cannot create a network namespace: " + add.lastLine());
    }
    try {
      HostCommands.Result tap = host.run(Solo5CommandLines.inNamespace(ns, Solo5CommandLines.tapAdd()), t);
      return tap.ok()
          ? new Row("netns-tap", true, "created a network namespace with a tap device and removed it")
          : new Row("netns-tap", false, "cannot create a tap device in a network namespace: " + tap.lastLine());
    } finally {
      host.run(Solo5CommandLines.netnsDelete(ns), t);
    }
  }

  private static long hostTscKhz() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (line.startsWith("cpu MHz")) {
          return Math.round(Double.parseDouble(line.substring(line.indexOf(':') + 1).strip()) * 1000);
        }
      }
    } catch (IOException | NumberFormatException e) {
      // unknown: the guest calibrates itself, slower but correct
    }
    return 0;
  }

  /** A 64 KiB firmware that writes to QEMU's isa-debug-exit port: exit code 3 means guest code ran. */
  static final class TrialBoot {
    static final int SUCCESS_EXIT = 3;
    static final Duration TIMEOUT = Duration.ofSeconds(10);
    // at the reset vector (0xFFFF0): mov al,1; out 0xf4,al; hlt; jmp $-1
    private static final byte[] CODE = {(byte) 0xB0, 0x01, (byte) 0xE6, (byte) 0xF4, (byte) 0xF4, (byte) 0xEB, (byte) 0xFD};

    private TrialBoot() {}

    static Path writeFirmware(Path dir) {
      byte[] image = new byte[64 * 1024];
      java.util.Arrays.fill(image, (byte) 0xF4);
      System.arraycopy(CODE, 0, image, 0xFFF0, CODE.length);
      try {
        Files.createDirectories(dir);
        Path f = dir.resolve("trial-boot.bin");
        Files.write(f, image);
        return f;
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write the trial-boot firmware into " + dir, e);
      }
    }

    static List<String> command(String qemu, Path firmware, String accel) {
      return List.of(qemu, "-accel", accel, "-cpu", "kvm".equals(accel) ? "host" : "max",
          "-M", "pc", "-m", "16", "-nodefaults", "-no-user-config", "-display", "none",
          "-bios", firmware.toString(), "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04");
    }
  }
}
