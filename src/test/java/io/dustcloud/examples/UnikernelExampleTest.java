package io.dustcloud.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dustcloud.testing.EndToEnd;
import io.dustcloud.testing.ExampleUnikernel;
import io.dustcloud.testing.ExampleUnikernel.Built;
import io.dustcloud.testing.ExampleUnikernel.Guest;
import io.dustcloud.testing.ExampleUnikernel.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code examples/unikernel}: built twice from the same sources into different directories (the
 * same bytes), its kernel booted under QEMU's TCG and its GCE disk booted through the BIOS and
 * SYSLINUX with an address from DHCP, each answering HTTP 200. About 5 s on 2 cores.
 */
@EndToEnd
class UnikernelExampleTest {
  private static final Duration BOOT = Duration.ofSeconds(60);
  @TempDir static Path dir;
  private static Built built;

  @BeforeAll
  static void build() {
    built = ExampleUnikernel.shared();
  }

  @Test
  void sameSourcesGiveTheSameBytesWhereverTheyAreBuilt() throws IOException {
    Built again = ExampleUnikernel.build(dir.resolve("elsewhere/b"));
    assertThat(again.kernel().getParent()).isNotEqualTo(built.kernel().getParent());
    assertThat(Files.readAllBytes(again.kernel())).isEqualTo(Files.readAllBytes(built.kernel()));
    // the tarball holds all of disk.raw, so equal tarballs mean equal disks
    assertThat(Files.readAllBytes(again.tarball())).isEqualTo(Files.readAllBytes(built.tarball()));
  }

  @Test
  void theGceImageIsABootableMbrDiskPackedTheWayGceImportsIt() throws IOException {
    try (RandomAccessFile disk = new RandomAccessFile(built.disk().toFile(), "r")) {
      assertThat(disk.length() % (1L << 30)).as("GCE wants a whole number of GiB").isZero();
      byte[] mbr = new byte[512];
      disk.readFully(mbr);
      assertThat(mbr[510] & 0xFF).isEqualTo(0x55);
      assertThat(mbr[511] & 0xFF).isEqualTo(0xAA);
      assertThat(mbr[446] & 0xFF).as("partition 1 is bootable").isEqualTo(0x80);
      assertThat(mbr[446 + 16 + 4]).as("no partition 2").isZero();
    }
    try (InputStream in = new GZIPInputStream(Files.newInputStream(built.tarball()))) {
      byte[] header = in.readNBytes(512);
      assertThat(new String(header, 0, 9, StandardCharsets.US_ASCII)).isEqualTo("disk.raw\0");
      // GNU's old format: magic "ustar  \0", which GCE's importer expects
      assertThat(new String(header, 257, 8, StandardCharsets.US_ASCII)).isEqualTo("ustar  \0");
    }
  }

  @Test
  void theKernelAnswersLikeTheHelloExampleAndKeepsManyKeepAliveClients() throws Exception {
    // no bound on a connection's age here: this checks that 50 requests share one connection
    try (Guest g = ExampleUnikernel.bootKernel(built.kernel(), dir.resolve("kernel.log"), "--name=ci", "--version=v9",
        "--max-connection-age-ms=0")) {
      assertThat(g.await200("/", BOOT).body()).isEqualTo("hello from ci v9\n");
      assertThat(g.await200("/health", BOOT).body()).isEqualTo("ok\n");

      // 16 connections x 50 requests, each connection kept alive for all of its requests
      ExecutorService pool = Executors.newFixedThreadPool(16);
      try {
        List<Future<Integer>> clients = new ArrayList<>();
        for (int c = 0; c < 16; c++) {
          clients.add(pool.submit(() -> {
            int ok = 0;
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), g.port())) {
              s.setSoTimeout(30_000);
              for (int i = 0; i < 50; i++) {
                Response r = ExampleUnikernel.get(s, i % 10 == 0 ? "/metrics" : "/", false);
                if (r.status() == 200 && r.keepAlive() && (i % 10 == 0 || r.body().equals("hello from ci v9\n"))) {
                  ok++;
                }
              }
            }
            return ok;
          }));
        }
        for (Future<Integer> f : clients) {
          assertThat(f.get()).isEqualTo(50);
        }
      } finally {
        pool.shutdownNow();
      }

      // one connection per request (HTTP/1.0), 4 at a time: 400 connections, more than the guest
      // has connection slots, each closed by the guest first and so left in its TIME_WAIT
      ExecutorService shortLived = Executors.newFixedThreadPool(4);
      try {
        List<Future<Integer>> clients = new ArrayList<>();
        for (int c = 0; c < 4; c++) {
          clients.add(shortLived.submit(() -> {
            int ok = 0;
            for (int i = 0; i < 100; i++) {
              try (Socket s = new Socket(InetAddress.getLoopbackAddress(), g.port())) {
                s.setSoTimeout(30_000);
                s.getOutputStream().write("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
                if (answer.startsWith("HTTP/1.1 200 OK\r\n") && answer.endsWith("\r\n\r\nhello from ci v9\n")) {
                  ok++;
                }
              }
            }
            return ok;
          }));
        }
        for (Future<Integer> f : clients) {
          assertThat(f.get()).isEqualTo(100);
        }
      } finally {
        shortLived.shutdownNow();
      }

      String metrics = g.await200("/metrics", BOOT).body();
      assertThat(metrics).contains("# TYPE hello_requests_total counter", "# TYPE process_cpu_seconds_total counter",
          "# TYPE unikernel_uptime_seconds gauge");
      assertThat(value(metrics, "hello_requests_total")).isGreaterThanOrEqualTo(1202);
      assertThat(value(metrics, "process_cpu_seconds_total")).isPositive();
      assertThat(value(metrics, "unikernel_uptime_seconds")).isPositive();

      // Connection: close is honoured: the answer says so and the guest closes
      try (Socket s = new Socket(InetAddress.getLoopbackAddress(), g.port())) {
        s.setSoTimeout(30_000);
        Response r = ExampleUnikernel.get(s, "/nowhere", true);
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.keepAlive()).isFalse();
        assertThat(s.getInputStream().read()).isEqualTo(-1);
      }
      assertThat(g.console()).contains("ci v9: listening on port 8080", "GET / 200");
    }
  }

  /**
   * A keep-alive connection older than --max-connection-age-ms is answered with Connection:
   * close and closed (so an instance leaving a fleet's rotation sheds its keep-alive clients).
   */
  @Test
  void aKeepAliveConnectionIsClosedOnceItOutlivesItsAge() throws Exception {
    try (Guest g = ExampleUnikernel.bootKernel(built.kernel(), dir.resolve("age.log"), "--max-connection-age-ms=500")) {
      g.await200("/", BOOT);
      try (Socket s = new Socket(InetAddress.getLoopbackAddress(), g.port())) {
        s.setSoTimeout(30_000);
        assertThat(ExampleUnikernel.get(s, "/", false).keepAlive()).as("a young connection is kept").isTrue();
        Thread.sleep(700); // older than the bound (a lower bound on the age; no timing is asserted)
        Response old = ExampleUnikernel.get(s, "/", false);
        assertThat(old.status()).isEqualTo(200);
        assertThat(old.keepAlive()).as("an old connection is told it closes").isFalse();
        assertThat(s.getInputStream().read()).isEqualTo(-1);
      }
    }
  }

  @Test
  void brokenFailsItsHealthAndHangStopsAllAnswers() throws Exception {
    try (Guest g = ExampleUnikernel.bootKernel(built.kernel(), dir.resolve("broken.log"),
        "--broken", "--ipv4=10.0.2.15/24", "--ipv4-gateway=10.0.2.2")) {
      g.await200("/", BOOT);
      try (Socket s = new Socket(InetAddress.getLoopbackAddress(), g.port())) {
        s.setSoTimeout(30_000);
        Response health = ExampleUnikernel.get(s, "/health", false);
        assertThat(health.status()).isEqualTo(503);
        assertThat(health.body()).isEqualTo("broken\n");

        // CPU burnt on request shows in the CPU counter: both count the same TSC cycles
        double before = value(ExampleUnikernel.get(s, "/metrics", false).body(), "process_cpu_seconds_total");
        assertThat(ExampleUnikernel.get(s, "/?cpu_ms=300", false).body()).isEqualTo("hello from unikernel v1\n");
        double after = value(ExampleUnikernel.get(s, "/metrics", false).body(), "process_cpu_seconds_total");
        assertThat(after - before).isGreaterThanOrEqualTo(0.3);
      }
      try (Socket s = new Socket(InetAddress.getLoopbackAddress(), g.port())) {
        s.setSoTimeout(1_000);
        // a hung guest accepts and acknowledges, and never answers: no reply within 1 s (or ever)
        assertThatThrownBy(() -> ExampleUnikernel.get(s, "/admin/hang", false)).isInstanceOf(SocketTimeoutException.class);
      }
      assertThat(ExampleUnikernel.tryGet(g.port(), "/health", Duration.ofSeconds(1))).isEmpty();
      assertThat(g.console()).contains("net: 10.0.2.15/24 gateway 10.0.2.2", "hung: no longer answering")
          .doesNotContain("dhcp:");
    }
  }

  @Test
  void aSlowBootListensOnlyAfterItsDelay() {
    try (Guest g = ExampleUnikernel.bootKernel(built.kernel(), dir.resolve("slow.log"), "--start-delay-ms=1000")) {
      String metrics = g.await200("/metrics", BOOT).body();
      // the guest's own clock: nothing answered before a second had passed since its boot
      assertThat(value(metrics, "unikernel_uptime_seconds")).isGreaterThanOrEqualTo(1.0);
      assertThat(g.console()).contains("unikernel v1: starting (start delay 1000ms)");
    }
  }

  @Test
  void aBadBootArgumentStopsTheGuest() throws Exception {
    try (Guest g = ExampleUnikernel.bootKernel(built.kernel(), dir.resolve("bad.log"), "--cpu-ms=lots")) {
      assertThat(g.process().waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).as("QEMU exits").isTrue();
      assertThat(g.console()).contains("unikernel: invalid argument '--cpu-ms=lots'", "unikernel: stopping");
    }
  }

  @Test
  void theGceDiskBootsThroughTheBiosAndSyslinuxWithDhcp() {
    try (Guest g = ExampleUnikernel.bootDisk(built.disk(), dir.resolve("disk.log"))) {
      assertThat(g.await200("/", BOOT).body()).isEqualTo("hello from unikernel v1\n");
      assertThat(g.await200("/health", BOOT).body()).isEqualTo("ok\n");
      assertThat(g.console()).contains("SYSLINUX", "dhcp: bound to 10.0.2.15/255.255.255.0 gateway 10.0.2.2");
    }
  }

  private static double value(String metrics, String name) {
    return metrics.lines().filter(l -> l.startsWith(name + " ")).map(l -> Double.parseDouble(l.substring(name.length() + 1)))
        .findFirst().orElseThrow(() -> new AssertionError("no " + name + " in:\n" + metrics));
  }
}
