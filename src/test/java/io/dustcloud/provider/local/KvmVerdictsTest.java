package io.dustcloud.provider.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.dustcloud.provider.local.KvmVerdicts.Outcome;
import io.dustcloud.provider.local.KvmVerdicts.Verdict;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** KVM only for guest kinds that really booted under it, with fake trial boots: no QEMU, no KVM needed. */
class KvmVerdictsTest {
  @TempDir Path dir;

  @ParameterizedTest(name = "host {0}, verdict {1} -> {2}")
  @CsvSource(nullValues = "none", value = {
      "tcg, none,  tcg",
      "tcg, WORKS, tcg",
      "tcg, FAILS, tcg",
      "kvm, none,  trial",
      "kvm, WORKS, kvm",
      "kvm, FAILS, tcg"})
  void rule(String hostAccel, Verdict verdict, String expected) {
    assertThat(KvmVerdicts.rule(hostAccel, verdict)).isEqualTo(expected);
  }

  /** One row per host: what the 64 KiB trial said, what the real guest's trial does, what guests get. */
  @ParameterizedTest(name = "host {0}, guest answers under KVM: {1} -> {2}, trials {3}")
  @CsvSource({
      // the 64 KiB trial failed or there is no KVM: never try a guest under it
      "tcg, true,  tcg, 0",
      "tcg, false, tcg, 0",
      // KVM ran the 64 KiB trial: the real guest decides, once
      "kvm, true,  kvm, 1",
      "kvm, false, tcg, 1"})
  void theFirstGuestOfAKindDecidesOnceAndTheHostRemembers(String hostAccel, boolean answers, String expected,
      int trials) {
    FakeTrial trial = new FakeTrial(Map.of(VmImage.Kind.LINUX, answers));
    KvmVerdicts verdicts = new KvmVerdicts(new ConcurrentHashMap<>(), dir, trial);
    HostCapabilities host = host(hostAccel);

    assertThat(verdicts.accel(host, VmImage.Kind.LINUX, () -> line(VmImage.Kind.LINUX))).isEqualTo(expected);
    assertThat(verdicts.accel(host, VmImage.Kind.LINUX, () -> line(VmImage.Kind.LINUX))).isEqualTo(expected);
    assertThat(trial.booted).hasSize(trials);
    trial.booted.forEach(l -> assertThat(l.toList()).containsSequence("-accel", "kvm"));
    // its console is the host's, next to the verdict, not in the instances' logs
    trial.booted.forEach(l -> assertThat(l.console()).isEqualTo(dir.resolve("kvm-trial-linux.log")));

    // an operator restart (a new JVM): the file under the state directory remembers
    FakeTrial again = new FakeTrial(Map.of(VmImage.Kind.LINUX, !answers));
    assertThat(new KvmVerdicts(new ConcurrentHashMap<>(), dir, again).accel(host, VmImage.Kind.LINUX, () -> line(VmImage.Kind.LINUX)))
        .isEqualTo(expected);
    assertThat(again.booted).isEmpty();
  }

  @Test
  void eachKindIsTriedOnItsOwnAndAFailureIsWrittenDown() throws Exception {
    FakeTrial trial = new FakeTrial(Map.of(VmImage.Kind.LINUX, false, VmImage.Kind.MULTIBOOT, true));
    Map<String, Verdict> jvm = new ConcurrentHashMap<>();
    KvmVerdicts verdicts = new KvmVerdicts(jvm, dir, trial);
    HostCapabilities host = host("kvm");

    assertThat(verdicts.accel(host, VmImage.Kind.LINUX, () -> line(VmImage.Kind.LINUX))).isEqualTo("tcg");
    assertThat(verdicts.accel(host, VmImage.Kind.MULTIBOOT, () -> line(VmImage.Kind.MULTIBOOT))).isEqualTo("kvm");
    assertThat(trial.booted).hasSize(2);
    assertThat(Files.readString(dir.resolve("kvm-linux"))).isEqualTo("fails: hung at boot\n");
    assertThat(Files.readString(dir.resolve("kvm-multiboot"))).isEqualTo("works\n");

    // another provider in the same JVM (a test suite) with no state of its own: the JVM remembers
    FakeTrial none = new FakeTrial(Map.of());
    assertThat(new KvmVerdicts(jvm, null, none).accel(host, VmImage.Kind.LINUX, () -> line(VmImage.Kind.LINUX))).isEqualTo("tcg");
    assertThat(none.booted).isEmpty();
  }

  @Test
  void anUnreadableVerdictFileMeansTryAgain() throws Exception {
    Files.writeString(dir.resolve("kvm-linux"), "maybe\n");
    FakeTrial trial = new FakeTrial(Map.of(VmImage.Kind.LINUX, true));
    assertThat(new KvmVerdicts(new ConcurrentHashMap<>(), dir, trial).accel(host("kvm"), VmImage.Kind.LINUX,
        () -> line(VmImage.Kind.LINUX))).isEqualTo("kvm");
    assertThat(trial.booted).hasSize(1);
    assertThat(Files.readString(dir.resolve("kvm-linux"))).isEqualTo("works\n");
  }

  /** The real trial against stand-ins for QEMU: one that dies at once, one whose "guest" answers HTTP. */
  @Test
  void theRealTrialWaitsForAnHttpAnswerOrForQemuToExit() throws Exception {
    Path dies = script("dies", "echo 'qemu-system-x86_64: error: failed to set MSR 0x10a to 0x69' >&2; exit 134");
    Outcome died = KvmVerdicts.bootUnderKvm(lineFor(dies));
    assertThat(died.answered()).isFalse();
    assertThat(died.detail()).startsWith("QEMU exited with 134 before the guest answered; see ");
    assertThat(Files.readString(dir.resolve("i-1.log"))).contains("failed to set MSR");

    // the stand-in serves the example app on the loopback port of the hostfwd it was given
    Path hello = io.dustcloud.testing.ExampleApp.binary();
    Path serves = script("serves", "for a; do case $a in *hostfwd=*) p=${a#*127.0.0.1:}; p=${p%%-*};; esac; done\n"
        + "exec " + hello + " --port=$p");
    Outcome answered = KvmVerdicts.bootUnderKvm(lineFor(serves));
    assertThat(answered).isEqualTo(new Outcome(true, "answered"));
  }

  private Path script(String name, String body) throws Exception {
    Path f = dir.resolve(name);
    Files.writeString(f, "#!/bin/sh\n" + body + "\n");
    f.toFile().setExecutable(true);
    return f;
  }

  private QemuCommandLine lineFor(Path qemu) {
    VmImage vm = new VmImage(VmImage.Kind.MULTIBOOT, dir.resolve("kernel"), null);
    return new QemuCommandLine(qemu.toString(), "i-1", vm, "kvm", 64, 1, 0, 1, 8080, List.of(), dir.resolve("i-1.log"));
  }

  private static HostCapabilities host(String accel) {
    return new HostCapabilities(List.of(), Path.of("/usr/bin/qemu-system-x86_64"), accel, 0);
  }

  private QemuCommandLine line(VmImage.Kind kind) {
    VmImage vm = new VmImage(kind, dir.resolve("kernel"), kind == VmImage.Kind.LINUX ? dir.resolve("initrd") : null);
    return new QemuCommandLine("qemu-system-x86_64", "i-1", vm, "kvm", 128, 1, 0, 24000, 8080, List.of(),
        dir.resolve("i-1.log"));
  }

  private static final class FakeTrial implements KvmVerdicts.Trial {
    private final Map<VmImage.Kind, Boolean> answers;
    final List<QemuCommandLine> booted = new ArrayList<>();

    FakeTrial(Map<VmImage.Kind, Boolean> answers) {
      this.answers = new HashMap<>(answers);
    }

    @Override
    public Outcome boot(QemuCommandLine underKvm) {
      booted.add(underKvm);
      // the fake keys on the kind the caller asked about, recorded by the line's image
      return answers.getOrDefault(underKvm.image().kind(), false)
          ? new Outcome(true, "answered") : new Outcome(false, "hung at boot");
    }
  }
}
