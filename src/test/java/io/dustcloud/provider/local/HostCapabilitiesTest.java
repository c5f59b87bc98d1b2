package io.dustcloud.provider.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.dustcloud.provider.RevisionImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Capabilities decided by trying, on simulated hosts: an empty PATH, a KVM that fails, one that works. */
class HostCapabilitiesTest {
  @TempDir Path dir;
  private final List<LocalProvider> providers = new ArrayList<>();

  @AfterEach
  void close() {
    providers.forEach(LocalProvider::close);
  }

  @Test
  void aHostWithoutQemuOrSolo5SaysNoWithTheReasons() throws Exception {
    Path emptyBin = Files.createDirectories(dir.resolve("bin"));
    HostCapabilities caps = HostCapabilities.probe(HostCommands.onPath(emptyBin.toString()), dir, dir.resolve("no-kvm"));

    assertThat(caps.row("process").orElseThrow().yes()).isTrue();
    assertThat(caps.row("qemu").orElseThrow())
        .isEqualTo(new HostCapabilities.Row("qemu", false,
            "qemu-system-x86_64 not found on PATH (Debian: apt-get install qemu-system-x86)"));
    assertThat(caps.row("solo5-hvt").orElseThrow().detail()).startsWith("solo5-hvt not found on PATH");
    assertThat(caps.row("netns-tap").orElseThrow().detail()).isEqualTo("ip (iproute2) not found on PATH");
    assertThat(caps.row("kvm-device").orElseThrow().yes()).isFalse();
    assertThat(caps.accel()).isEqualTo("tcg");
    assertThat(caps.table())
        .containsPattern("qemu\\s+no\\s+qemu-system-x86_64 not found on PATH")
        .containsPattern("solo5-spt\\s+no\\s+solo5-spt not found on PATH")
        .containsPattern("unix\\s+process\\s+yes")
        .containsPattern("virtio\\s+qemu\\s+no: this host cannot run the qemu runtime: qemu-system-x86_64 not found");

    LocalProvider provider = provider(HostCommands.onPath(emptyBin.toString()));
    Path artifact = Files.writeString(dir.resolve("image.tar.gz"), "not even an image");
    assertThat(provider.unsupportedReason(image("virtio", artifact, "qemu")))
        .isEqualTo("this host cannot run the qemu runtime: qemu-system-x86_64 not found on PATH"
            + " (Debian: apt-get install qemu-system-x86)");
    assertThat(provider.unsupportedReason(image("hvt", artifact, "solo5")))
        .startsWith("this host cannot run the solo5 runtime for 'hvt': solo5-hvt not found on PATH")
        .contains("ip (iproute2) not found on PATH", "socat not found on PATH", "no-kvm is missing");
    assertThat(provider.unsupportedReason(image("spt", artifact, null))).contains("solo5-spt not found on PATH");
    assertThat(provider.unsupportedReason(image("unknown", artifact, null))).contains("format 'unknown'");
  }

  @Test
  void kvmIsUsedOnlyWhenItsTrialBootSucceeds() throws Exception {
    Path kvm = Files.createFile(dir.resolve("kvm"));
    FakeHost failing = new FakeHost(134, "qemu-system-x86_64: error: failed to set MSR 0x10a to 0x69");
    HostCapabilities caps = HostCapabilities.probe(failing, dir, kvm);

    assertThat(caps.accel()).isEqualTo("tcg");
    assertThat(caps.qemuUnsupported()).isNull();
    assertThat(caps.row("qemu-tcg").orElseThrow().yes()).isTrue();
    assertThat(caps.row("qemu-kvm").orElseThrow().detail())
        .isEqualTo("trial boot under KVM failed (exit 134): qemu-system-x86_64: error: failed to set MSR 0x10a to 0x69;"
            + " guests run under TCG");
    List<String> trial = failing.ran.stream().filter(c -> c.contains("kvm")).findFirst().orElseThrow();
    assertThat(trial).containsSequence("-accel", "kvm", "-cpu", "host")
        .contains("-bios", dir.resolve("trial-boot.bin").toString(), "isa-debug-exit,iobase=0xf4,iosize=0x04");
    assertThat(dir.resolve("trial-boot.bin")).hasSize(65536);

    assertThat(HostCapabilities.probe(new FakeHost(HostCapabilities.TrialBoot.SUCCESS_EXIT, ""), dir, kvm).accel())
        .isEqualTo("kvm");
  }

  @Test
  void qemuThatCannotBootAnyGuestIsUnsupported() {
    HostCapabilities caps = HostCapabilities.probe(new FakeHost(1, "cannot allocate memory"), dir, dir.resolve("none"));
    assertThat(caps.qemuUnsupported()).startsWith("this host cannot boot QEMU guests: trial boot under TCG failed (exit 1)");
  }

  @Test
  void capabilitiesAreProbedOnceAndOnlyWhenNeeded() throws Exception {
    FakeHost host = new FakeHost(HostCapabilities.TrialBoot.SUCCESS_EXIT, "");
    LocalProvider provider = provider(host);
    Path binary = Files.writeString(dir.resolve("app"), "#!/bin/sh\n");
    provider.unsupportedReason(image("unix", binary, "process"));
    assertThat(host.ran).as("unix images need no probe").isEmpty();

    provider.unsupportedReason(image("virtio", binary, "qemu"));
    int probes = host.ran.size();
    provider.unsupportedReason(image("virtio", binary, "qemu"));
    assertThat(probes).isPositive();
    assertThat(host.ran).hasSize(probes);
  }

  /** `java … Main doctor` with a PATH that has neither QEMU nor Solo5: the table a user would see. */
  @Test
  void doctorCommandPrintsTheTableForTheHostsPath() throws Exception {
    Path emptyBin = Files.createDirectories(dir.resolve("empty-bin"));
    String java = ProcessHandle.current().info().command().orElse("java");
    ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), "io.dustcloud.Main", "doctor")
        .redirectErrorStream(true);
    pb.environment().put("PATH", emptyBin.toString());
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

    assertThat(p.waitFor()).as(out).isZero();
    assertThat(out).startsWith("CAPABILITY")
        .containsPattern("qemu\\s+no\\s+qemu-system-x86_64 not found on PATH")
        .containsPattern("solo5-hvt\\s+no\\s+solo5-hvt not found on PATH")
        .containsPattern("hvt\\s+solo5\\s+no: ");
  }

  private LocalProvider provider(HostCommands host) {
    LocalProvider p = new LocalProvider(dir.resolve("state"), Duration.ofSeconds(1), host, dir.resolve("no-kvm"));
    providers.add(p);
    return p;
  }

  private static RevisionImage image(String format, Path artifact, String runtime) {
    return new RevisionImage("r1", format, artifact.toString(), null, List.of(), 8080,
        LocalSettings.runtime(runtime));
  }

  /** QEMU on PATH; every command exits with {@code exit}, except that TCG trial boots succeed unless exit is 1. */
  private static final class FakeHost implements HostCommands {
    final List<List<String>> ran = new ArrayList<>();
    private final int exit;
    private final String output;

    FakeHost(int exit, String output) {
      this.exit = exit;
      this.output = output;
    }

    @Override
    public Optional<Path> which(String name) {
      return name.equals(HostCapabilities.QEMU) ? Optional.of(Path.of("/fake/bin", name)) : Optional.empty();
    }

    @Override
    public Result run(List<String> command, Duration timeout) {
      ran.add(command);
      if (command.contains("--version")) {
        return new Result(0, "QEMU emulator version 7.2.0");
      }
      boolean tcg = command.contains("tcg");
      return tcg && exit != 1 ? new Result(HostCapabilities.TrialBoot.SUCCESS_EXIT, "") : new Result(exit, output);
    }
  }
}
