package io.dustcloud.build;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Cancelling a local build: make and what it started stop, and the key is not a failure. */
class LocalBuilderTest {
  @TempDir Path dir;
  LocalBuilder builder;

  @AfterEach
  void close() {
    if (builder != null) {
      builder.close();
    }
  }

  @Test
  void aCancelledBuildStopsItsProcessesAndStartsAfreshWhenAskedAgain() throws Exception {
    Path source = Files.createDirectories(dir.resolve("src"));
    // a build that would run for five minutes, telling us the pid of what it started
    Files.writeString(source.resolve("Makefile"), "all:\n\tsleep 300 & echo $$! > sleep.pid; wait\n");
    builder = new LocalBuilder(new LocalArtifactStore(dir.resolve("artifacts")), dir.resolve("logs"),
        Duration.ofMinutes(10), Clock.systemUTC(), BuildIsolation.inPlace()); // the pid file is written in the source

    assertThat(builder.state("k1", source, "app")).isInstanceOf(BuildResult.Running.class);
    Path pidFile = source.resolve("sleep.pid");
    await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(pidFile) && !Files.readString(pidFile).isBlank());
    long pid = Long.parseLong(Files.readString(pidFile).trim());
    assertThat(ProcessHandle.of(pid)).isPresent();

    assertThat(builder.cancel("k1")).isTrue();

    await().atMost(Duration.ofSeconds(30)).until(() -> ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true));
    // forgotten, not failed: asked again, it builds again at once (no failure backoff)
    Files.delete(pidFile);
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
        assertThat(builder.state("k1", source, "app")).isInstanceOf(BuildResult.Running.class));
    await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(pidFile));
    assertThat(builder.cancel("nothing-runs-under-this-key")).isFalse();
  }
}
