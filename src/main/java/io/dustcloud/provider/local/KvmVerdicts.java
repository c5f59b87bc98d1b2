package io.dustcloud.provider.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which accelerator each guest kind runs under on this host.
 *
 * <p>{@link HostCapabilities}' 64 KiB trial only shows that KVM runs <em>some</em> guest code. A
 * nested, software KVM passes it and then hangs real guests (MSR errors, emulation failures on
 * {@code cmpxchg16b}, {@code xrstor}, {@code ldmxcsr}). So before the first guest of a kind
 * ({@link VmImage.Kind}) runs under KVM, that very guest, with its real command line, is booted
 * under KVM as a trial; guests of that kind run under KVM only if it answered HTTP within the
 * deadline, else under TCG. The verdict is kept for the JVM's life (all providers of an operator or
 * a test suite share one host) and in a file under the state directory (an operator restart does
 * not try again). Delete the file to try again after fixing the host.
 */
final class KvmVerdicts {
  /** How long a trial guest under KVM gets to answer: a working KVM boots any of ours in ~1 s. */
  static final Duration DEADLINE = Duration.ofSeconds(20);
  private static final Logger log = LoggerFactory.getLogger(KvmVerdicts.class);
  private static final Map<String, Verdict> HOST = new ConcurrentHashMap<>();

  /** What one trial boot under KVM showed. */
  enum Verdict {
    WORKS,
    FAILS
  }

  /** Boots one guest under KVM and says whether it answered in time (and if not, why). */
  interface Trial {
    Outcome boot(QemuCommandLine underKvm);
  }

  /** @param detail why it did not answer, for the log and the verdict file */
  record Outcome(boolean answered, String detail) {}

  private final Map<String, Verdict> known;
  private final Path dir;
  private final Trial trial;

  /** @param dir where verdicts are kept across restarts; null keeps them in memory only */
  KvmVerdicts(Path dir) {
    this(HOST, dir, KvmVerdicts::bootUnderKvm);
  }

  KvmVerdicts(Map<String, Verdict> known, Path dir, Trial trial) {
    this.known = known;
    this.dir = dir;
    this.trial = trial;
  }

  /**
   * The rule. {@code hostAccel} is what the 64 KiB trial decided; {@code verdict} is null while
   * this kind has not been tried under KVM.
   *
   * @return {@code tcg}, {@code kvm}, or {@code trial} (boot the guest under KVM first)
   */
  static String rule(String hostAccel, Verdict verdict) {
    if (!"kvm".equals(hostAccel)) {
      return "tcg";
    }
    if (verdict == null) {
      return "trial";
    }
    return verdict == Verdict.WORKS ? "kvm" : "tcg";
  }

  /** The accelerator for a guest of {@code kind}, running the trial boot of {@code underKvm} on first need. */
  synchronized String accel(HostCapabilities host, VmImage.Kind kind, Supplier<QemuCommandLine> underKvm) {
    String key = host.qemu() + "|" + kind;
    Verdict verdict = known.computeIfAbsent(key, k -> read(kind));
    String choice = rule(host.accel(), verdict);
    if (!"trial".equals(choice)) {
      return choice;
    }
    // the trial's console goes next to the verdict, not among the instances' logs: it is the host's
    QemuCommandLine l = underKvm.get();
    Path console = dir != null ? dir.resolve("kvm-trial-" + kind.name().toLowerCase(Locale.ROOT) + ".log")
        : l.console().resolveSibling(l.name() + "-kvm-trial.log");
    Outcome outcome = trial.boot(new QemuCommandLine(l.qemu(), l.name() + "-kvm-trial", l.image(), "kvm",
        l.memoryMiB(), l.cpus(), l.tscKhz(), l.hostPort(), l.guestPort(), l.bootArgs(), console));
    verdict = outcome.answered() ? Verdict.WORKS : Verdict.FAILS;
    known.put(key, verdict);
    write(kind, verdict, outcome.detail());
    if (verdict == Verdict.WORKS) {
      log.info("a {} guest answered under KVM: {} guests run under KVM on this host", kind, kind);
    } else {
      log.warn("a {} guest did not answer under KVM ({}): {} guests run under TCG on this host; delete {} to try again",
          kind, outcome.detail(), kind, file(kind));
    }
    return rule(host.accel(), verdict);
  }

  private Path file(VmImage.Kind kind) {
    return dir == null ? null : dir.resolve("kvm-" + kind.name().toLowerCase(Locale.ROOT));
  }

  private Verdict read(VmImage.Kind kind) {
    Path f = file(kind);
    try {
      if (f == null || !Files.exists(f)) {
        return null;
      }
      String first = Files.readString(f, StandardCharsets.UTF_8).lines().findFirst().orElse("").strip();
      // anything unreadable counts as never tried: the trial runs again and rewrites it
      return first.equals("works") ? Verdict.WORKS : first.startsWith("fails") ? Verdict.FAILS : null;
    } catch (IOException e) {
      return null;
    }
  }

  private void write(VmImage.Kind kind, Verdict verdict, String detail) {
    Path f = file(kind);
    if (f == null) {
      return;
    }
    try {
      Files.createDirectories(dir);
      Files.writeString(f, (verdict == Verdict.WORKS ? "works" : "fails: " + detail) + "\n", StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot record the KVM verdict in " + f, e);
    }
  }

  /** The real trial: QEMU in the foreground on a free loopback port (not an instance's) until the guest answers HTTP. */
  static Outcome bootUnderKvm(QemuCommandLine line) {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, PortAllocator.LOOPBACK)) {
      port = s.getLocalPort();
    } catch (IOException e) {
      return new Outcome(false, "no free loopback port for the trial: " + e.getMessage());
    }
    Path console = line.console();
    QemuCommandLine trial = new QemuCommandLine(line.qemu(), line.name(), line.image(), "kvm",
        line.memoryMiB(), line.cpus(), line.tscKhz(), port, line.guestPort(), line.bootArgs(), console);
    Process p;
    try {
      Files.createDirectories(console.getParent());
      p = new ProcessBuilder(trial.toList()).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(console.toFile())).start();
    } catch (IOException e) {
      return new Outcome(false, "cannot start QEMU: " + e.getMessage());
    }
    long end = System.nanoTime() + DEADLINE.toNanos();
    try {
      while (System.nanoTime() < end) {
        if (!p.isAlive()) {
          return new Outcome(false, "QEMU exited with " + p.exitValue() + " before the guest answered; see " + console);
        }
        if (GuestProbe.httpAnswers(port)) {
          return new Outcome(true, "answered");
        }
        Thread.sleep(100);
      }
      return new Outcome(false, "no HTTP answer within " + DEADLINE.toSeconds() + " s; see " + console);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Outcome(false, "interrupted");
    } finally {
      p.destroyForcibly();
      try {
        p.waitFor();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
