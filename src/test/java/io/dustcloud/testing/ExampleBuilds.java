package io.dustcloud.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.Supplier;

/**
 * One example build at a time on this checkout, across test JVMs: surefire runs two forks, and
 * two makes writing {@code examples/hello/hello} (or two runs of build-vm-image.sh into one
 * directory) at once would leave a half-written file for the other fork to run.
 */
public final class ExampleBuilds {
  static final Path LOCK = Path.of("target/example-builds.lock").toAbsolutePath();

  private ExampleBuilds() {}

  /** Runs {@code build} holding the checkout's build lock (a file lock: held by one JVM at a time). */
  public static synchronized <T> T locked(Supplier<T> build) {
    try {
      Files.createDirectories(LOCK.getParent());
      try (FileChannel channel = FileChannel.open(LOCK, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
          FileLock lock = channel.lock()) {
        return build.get();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A directory of this JVM's own under {@code target}: a fork must not delete what the other one runs. */
  public static Path perJvm(String name) {
    return Path.of("target", name + "-" + ProcessHandle.current().pid()).toAbsolutePath();
  }
}
