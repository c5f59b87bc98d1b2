package io.dustcloud.bench;

import io.dustcloud.provider.DesiredFleet;
import io.dustcloud.provider.FleetId;
import io.dustcloud.provider.InstanceView;
import io.dustcloud.provider.RevisionImage;
import io.dustcloud.provider.local.LocalProvider;
import io.dustcloud.testing.ExampleApp;
import io.dustcloud.testing.ExampleUnikernel;
import io.dustcloud.testing.ExampleVmImage;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Boot latency through the local provider: from the realize call that starts one instance
 * to the first HTTP 200 on the instance's address, 5 boots per runtime, one at a time.
 * Figures: process_boot_p50_ms, qemu_boot_p50_ms, qemu_boot_p95_ms, qemu_rss_mib; and for the
 * unikernel of examples/unikernel, 10 boots each: unikernel_kernel_boot_p50_ms (its kernel through
 * the qemu runtime), unikernel_disk_boot_p50_ms (its GCE disk through the BIOS and SYSLINUX, with
 * DHCP, as GCE boots it; from QEMU's start), unikernel_rss_mib. Guests are polled with a fresh
 * connection and a 50 ms timeout per try: QEMU accepts before the guest listens, and a longer
 * timeout would round a 100 ms boot up to it.
 */
class BootBench {
  private static final int BOOTS = 5;
  private static final int UNIKERNEL_BOOTS = 10;
  private static final FleetId FLEET = new FleetId("bench", "boot");
  @TempDir Path dir;

  @AfterEach
  void cleanUp() {
    ExampleApp.killDescendants();
  }

  @Test
  void boot() throws Exception {
    BenchReport report = BenchReport.selected("boot");
    RevisionImage process = new RevisionImage("p", "unix", ExampleApp.binary().toString(), null,
        List.of(), 8080, io.dustcloud.provider.local.LocalSettings.runtime("process"));
    List<Long> processMs = boots(process, 1, new ArrayList<>());
    report.put("process_boot_p50_ms", percentile(processMs, 50));

    ExampleVmImage.Built vm;
    try {
      vm = ExampleVmImage.require();
    } catch (org.opentest4j.TestAbortedException e) {
      // a test may skip without QEMU; a benchmark fails, with the reason
      throw new AssertionError("the boot benchmark cannot run here: " + e.getMessage(), e);
    }
    RevisionImage qemu = new RevisionImage("q", "virtio", vm.artifact().toString(), vm.sha256(),
        List.of("--version=bench"), 8080, new io.dustcloud.provider.local.LocalSettings("qemu", 128, 1));
    List<Long> rss = new ArrayList<>();
    List<Long> qemuMs = boots(qemu, 20, rss);
    report.put("qemu_boot_p50_ms", percentile(qemuMs, 50));
    report.put("qemu_boot_p95_ms", percentile(qemuMs, 95));
    report.put("qemu_rss_mib", percentile(rss, 50));
    report.put("qemu_accel", qemuAccel());

    // a missing tool fails the benchmark with the reason: a benchmark never skips
    ExampleUnikernel.Built uk = ExampleUnikernel.build(dir.resolve("unikernel"), true);
    RevisionImage kernel = new RevisionImage("u", "virtio", uk.kernel().toString(), sha256(uk.kernel()),
        List.of("--version=bench"), 8080, new io.dustcloud.provider.local.LocalSettings("qemu", 64, 1));
    List<Long> ukRss = new ArrayList<>();
    report.put("unikernel_kernel_boot_p50_ms", percentile(boots(kernel, UNIKERNEL_BOOTS, 5, 50, ukRss), 50));
    report.put("unikernel_rss_mib", percentile(ukRss, 50));
    List<Long> diskMs = new ArrayList<>();
    for (int i = 0; i < UNIKERNEL_BOOTS; i++) {
      long t0 = System.nanoTime();
      try (ExampleUnikernel.Guest g = ExampleUnikernel.bootDisk(uk.disk(), dir.resolve("disk-" + i + ".log"))) {
        g.await200("/health", Duration.ofSeconds(60));
        diskMs.add((System.nanoTime() - t0) / 1_000_000);
      }
    }
    report.put("unikernel_disk_boot_p50_ms", percentile(diskMs, 50));
    report.write();
  }

  private static String sha256(Path file) throws Exception {
    return java.util.HexFormat.of().formatHex(
        java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
  }

  private List<Long> boots(RevisionImage image, long pollMs, List<Long> rssMib) throws Exception {
    return boots(image, BOOTS, pollMs, 300, rssMib);
  }

  private List<Long> boots(RevisionImage image, int count, long pollMs, int tryMs, List<Long> rssMib) throws Exception {
    List<Long> ms = new ArrayList<>();
    try (LocalProvider provider = new LocalProvider(dir.resolve(image.revision()))) {
      // warm up: artifact digest, archive unpacking and the capability probe are one-time costs
      provider.unsupportedReason(image);
      for (int i = 0; i < count; i++) {
        long t0 = System.nanoTime();
        InstanceView instance = provider.realize(DesiredFleet.single(FLEET, image, 1)).instances().get(0);
        int port = Integer.parseInt(instance.address().substring(instance.address().lastIndexOf(':') + 1));
        while (!answers200(port, tryMs)) {
          if (System.nanoTime() - t0 > 60_000_000_000L) {
            throw new AssertionError("no HTTP 200 within 60 s; see " + provider.logFile(instance.id()));
          }
          Thread.sleep(pollMs);
        }
        ms.add((System.nanoTime() - t0) / 1_000_000);
        rssMib.add(rssOfDescendants() / 1024);
        provider.realize(DesiredFleet.single(FLEET, image, 0));
      }
      provider.delete(FLEET);
    }
    return ms;
  }

  private static boolean answers200(int port, int tryMs) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), tryMs);
      s.setSoTimeout(tryMs);
      s.getOutputStream().write("GET /health HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      String status = new String(s.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
      return status.matches("HTTP/1\\.[01] 200");
    } catch (IOException e) {
      return false;
    }
  }

  /** Resident memory (KiB) of the one running instance: the only descendant of this JVM. */
  private static long rssOfDescendants() throws IOException {
    long kib = 0;
    for (ProcessHandle p : ProcessHandle.current().descendants().toList()) {
      Path status = Path.of("/proc", Long.toString(p.pid()), "status");
      if (Files.exists(status)) {
        for (String line : Files.readAllLines(status)) {
          if (line.startsWith("VmRSS:")) {
            kib += Long.parseLong(line.replaceAll("\\D", ""));
          }
        }
      }
    }
    return kib;
  }

  private String qemuAccel() {
    String table = LocalProvider.doctor(dir.resolve("doctor"));
    return table.lines().filter(l -> l.startsWith("virtio")).findFirst().orElse("?")
        .replaceAll(".*\\((\\w+)\\).*", "$1");
  }

  static long percentile(List<Long> values, int p) {
    List<Long> sorted = values.stream().sorted().toList();
    int rank = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank)));
  }
}
