package io.dustcloud.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * The unikernel of {@code examples/unikernel}: built with make into a directory of the caller's,
 * booted under QEMU with TCG (never KVM: tests must pass on any host) and user networking with one
 * forward from a free loopback port, either from the kernel ({@code -kernel}) or from the GCE disk
 * through the BIOS and SYSLINUX, as GCE boots it.
 */
public final class ExampleUnikernel {
  public static final Path SOURCES = Path.of("examples/unikernel").toAbsolutePath();
  /** examples/unikernel.yaml; each build writes it with its kernel's path and digest filled in */
  public static final Path MANIFEST = Path.of("examples/unikernel.yaml").toAbsolutePath();
  static final List<String> TOOLS = List.of("make", "cc", "objcopy", "qemu-system-x86_64", "sfdisk", "mkfs.fat",
      "syslinux", "mcopy");

  private ExampleUnikernel() {}

  /** The two artifacts of one build. */
  public record Built(Path kernel, Path disk, Path tarball, Path manifest) {}

  private static Built shared;

  /**
   * One build per test JVM, in {@code target/unikernel-PID} (the JVM's own: the other fork may be
   * booting its copy), for the tests that only boot it.
   */
  public static synchronized Built shared() {
    if (shared == null) {
      Path d = ExampleBuilds.perJvm("unikernel");
      try {
        if (Files.exists(d)) {
          try (Stream<Path> old = Files.walk(d)) {
            for (Path f : old.sorted(java.util.Comparator.reverseOrder()).toList()) {
              Files.delete(f);
            }
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      shared = build(d);
    }
    return shared;
  }

  /**
   * Copies the sources into {@code dir} and runs make there. A missing tool skips the test with
   * the package to install, except under CI, whose script installs them all: there it fails.
   */
  public static Built build(Path dir) {
    return build(dir, "true".equals(System.getenv("CI")));
  }

  /** @param required fail rather than skip when a tool is missing (CI, benchmarks) */
  public static Built build(Path dir, boolean required) {
    List<String> missing = TOOLS.stream().filter(t -> !onPath(t)).toList();
    String why = "the unikernel example needs " + missing + " (Debian: apt-get install make gcc binutils"
        + " qemu-system-x86 fdisk dosfstools syslinux syslinux-common mtools)";
    if (!missing.isEmpty() && required) {
      throw new IllegalStateException(why);
    }
    Assumptions.assumeTrue(missing.isEmpty(), why);
    try {
      Files.createDirectories(dir);
      try (Stream<Path> files = Files.list(SOURCES)) {
        for (Path f : files.filter(Files::isRegularFile).filter(f -> !isBuildOutput(f)).toList()) {
          Files.copy(f, dir.resolve(f.getFileName()), java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
        }
      }
      Process make = new ProcessBuilder("make", "-s", "-C", dir.toString(), "all", "manifest",
          "MANIFEST=" + MANIFEST).redirectErrorStream(true).start();
      String out = new String(make.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (make.waitFor() != 0) {
        throw new IllegalStateException("make in " + dir + " failed:\n" + out);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    return new Built(dir.resolve("kernel"), dir.resolve("disk.raw"), dir.resolve("image.tar.gz"),
        dir.resolve("unikernel.yaml"));
  }

  private static boolean isBuildOutput(Path f) {
    String n = f.getFileName().toString();
    return n.endsWith(".o") || n.equals("kernel") || n.equals("kernel.elf64") || n.equals("disk.raw")
        || n.equals("image.tar.gz") || n.equals("unikernel.yaml");
  }

  /** A running guest: its QEMU process, the loopback port forwarded to its port 8080, its console. */
  public record Guest(Process process, int port, Path consoleFile) implements AutoCloseable {
    public String address() {
      return "127.0.0.1:" + port;
    }

    public String console() {
      Path console = consoleFile;
      try {
        return Files.exists(console) ? Files.readString(console, StandardCharsets.ISO_8859_1) : "";
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    /**
     * Polls with a fresh connection and short timeouts (QEMU accepts on the forwarded port before
     * the guest listens) until {@code path} answers 200; fails with the console if QEMU exits.
     */
    public Response await200(String path, Duration within) {
      long end = System.nanoTime() + within.toNanos();
      while (System.nanoTime() < end) {
        Optional<Response> r = tryGet(port, path, Duration.ofMillis(50));
        if (r.isPresent() && r.get().status() == 200) {
          return r.get();
        }
        if (!process.isAlive()) {
          throw new AssertionError("QEMU exited with " + process.exitValue() + " before " + path + " answered 200: "
              + qemuOutput() + "\nconsole:\n" + console());
        }
        try {
          Thread.sleep(5);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException(e);
        }
      }
      throw new AssertionError("no HTTP 200 from " + path + " within " + within + "; console:\n" + console());
    }

    private String qemuOutput() {
      try {
        Path err = consoleFile.resolveSibling(consoleFile.getFileName() + ".qemu");
        return Files.exists(err) ? Files.readString(err, StandardCharsets.ISO_8859_1).strip() : "";
      } catch (IOException e) {
        return e.toString();
      }
    }

    @Override
    public void close() {
      process.destroyForcibly();
      process.onExit().join();
    }
  }

  /** Boots {@code kernel} with {@code -kernel}, the boot args on {@code -append}. */
  public static Guest bootKernel(Path kernel, Path console, String... args) {
    return boot(List.of("-kernel", kernel.toString(), "-append", String.join(" ", args)), console);
  }

  /**
   * Boots the GCE disk as GCE does: BIOS, the MBR, SYSLINUX, mboot.c32, the kernel; the disk on
   * virtio-scsi (GCE's default), unchanged on the host ({@code snapshot=on}).
   */
  public static Guest bootDisk(Path disk, Path console) {
    return boot(List.of("-device", "virtio-scsi-pci,id=scsi0",
        "-drive", "if=none,id=d0,format=raw,snapshot=on,file=" + disk,
        "-device", "scsi-hd,drive=d0,bus=scsi0.0"), console);
  }

  private static Guest boot(List<String> source, Path console) {
    int port = freePort();
    List<String> c = new ArrayList<>(List.of("qemu-system-x86_64", "-M", "pc,acpi=off", "-accel", "tcg",
        "-cpu", "max", "-m", "64m", "-nodefaults", "-no-user-config", "-display", "none"));
    c.addAll(source);
    c.addAll(List.of("-serial", "file:" + console,
        "-netdev", "user,id=n0,hostfwd=tcp:127.0.0.1:" + port + "-:8080",
        "-device", "virtio-net-pci,netdev=n0", "-no-reboot"));
    try {
      Path err = console.resolveSibling(console.getFileName() + ".qemu");
      Process p = new ProcessBuilder(c).redirectErrorStream(true).redirectOutput(err.toFile()).start();
      return new Guest(p, port, console);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** One HTTP/1.1 exchange on an open connection. */
  public record Response(int status, String body, boolean keepAlive) {}

  /** Sends GET {@code path} on {@code s} and reads one response (Content-Length framing). */
  public static Response get(Socket s, String path, boolean close) throws IOException {
    OutputStream out = s.getOutputStream();
    out.write(("GET " + path + " HTTP/1.1\r\nHost: guest\r\n" + (close ? "Connection: close\r\n" : "") + "\r\n")
        .getBytes(StandardCharsets.US_ASCII));
    out.flush();
    InputStream in = s.getInputStream();
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("connection closed after " + head.length() + " bytes of the head: " + head);
      }
      head.append((char) b);
    }
    String[] lines = head.toString().split("\r\n");
    int status = Integer.parseInt(lines[0].split(" ")[1]);
    int length = 0;
    boolean keepAlive = true;
    for (String l : lines) {
      String lower = l.toLowerCase(java.util.Locale.ROOT);
      if (lower.startsWith("content-length:")) {
        length = Integer.parseInt(l.substring(15).strip());
      } else if (lower.startsWith("connection:")) {
        keepAlive = lower.contains("keep-alive");
      }
    }
    byte[] body = in.readNBytes(length);
    if (body.length != length) {
      throw new IOException("body cut short: " + body.length + " of " + length + " bytes");
    }
    return new Response(status, new String(body, StandardCharsets.US_ASCII), keepAlive);
  }

  /** One request on a new connection with short timeouts; empty when the guest did not answer. */
  public static Optional<Response> tryGet(int port, String path, Duration timeout) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), (int) timeout.toMillis());
      s.setSoTimeout((int) timeout.toMillis());
      return Optional.of(get(s, path, true));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  private static boolean onPath(String program) {
    List<String> dirs = new ArrayList<>(List.of(Optional.ofNullable(System.getenv("PATH")).orElse("").split(":")));
    dirs.addAll(List.of("/usr/sbin", "/sbin")); // sfdisk and mkfs.fat live there; mkdisk.sh looks there too
    return dirs.stream().anyMatch(d -> !d.isEmpty() && Files.isExecutable(Path.of(d, program)));
  }
}
