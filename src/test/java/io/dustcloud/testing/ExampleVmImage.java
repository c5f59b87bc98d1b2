package io.dustcloud.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;

/**
 * The example app as a {@code virtio} microVM image, built once by {@code
 * examples/hello/build-vm-image.sh} into {@code target/vm-image} (the script reuses it while
 * its sources are unchanged). Tests that need it are skipped, with the reason, only when QEMU,
 * musl or the Debian kernel cannot be had on this machine.
 */
public final class ExampleVmImage {
  public static final Path OUT = Path.of("target/vm-image").toAbsolutePath();
  private static volatile Built built;

  /** The artifact and its digest, as the script printed them. */
  public record Built(Path artifact, String sha256) {}

  private ExampleVmImage() {}

  /** The image, or the test is skipped with why it could not be built. */
  public static synchronized Built require() {
    Assumptions.assumeTrue(onPath("qemu-system-x86_64"),
        "QEMU tests skipped: qemu-system-x86_64 not on PATH (apt-get install qemu-system-x86)");
    Assumptions.assumeTrue(onPath("musl-gcc"), "QEMU tests skipped: musl-gcc not on PATH (apt-get install musl-tools)");
    if (built == null) {
      built = ExampleBuilds.locked(ExampleVmImage::build);
    }
    return built;
  }

  /** The script's run, under the checkout's build lock (it reuses OUT while its sources are unchanged). */
  private static Built build() {
    try {
      Process p = new ProcessBuilder("examples/hello/build-vm-image.sh", OUT.toString())
          .redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      int rc = p.waitFor();
      // exit 3: a prerequisite (kernel package, tool) is missing on this machine
      Assumptions.assumeTrue(rc != 3, "QEMU tests skipped: the VM image cannot be built here: " + out.strip());
      if (rc != 0) {
        throw new IllegalStateException("build-vm-image.sh failed (" + rc + "):\n" + out);
      }
      return new Built(Path.of(value(out, "artifact")), value(out, "sha256"));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static String value(String output, String key) {
    return output.lines().filter(l -> l.startsWith(key + "=")).map(l -> l.substring(key.length() + 1))
        .reduce((a, b) -> b).orElseThrow(() -> new IllegalStateException("no " + key + "= in:\n" + output));
  }

  private static boolean onPath(String program) {
    return Optional.ofNullable(System.getenv("PATH")).stream()
        .flatMap(p -> java.util.Arrays.stream(p.split(":")))
        .anyMatch(d -> Files.isExecutable(Path.of(d, program)));
  }

  /** Live QEMU processes among this JVM's descendants. */
  public static long qemuProcesses() {
    return ProcessHandle.current().descendants()
        .filter(ProcessHandle::isAlive)
        .filter(p -> p.info().command().map(c -> c.contains("qemu-system")).orElse(false))
        .count();
  }
}
