package io.dustcloud.supervisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dustcloud.provider.DesiredFleet;
import io.dustcloud.provider.FleetId;
import io.dustcloud.provider.RevisionImage;
import io.dustcloud.provider.local.LocalProvider;
import io.dustcloud.testing.ExampleApp;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Boot latency and cold starts, recorded by the supervisor at each instance's first passing probe. */
class BootMetricsTest {
  private static final FleetId FLEET = new FleetId("default", "boots");
  @TempDir Path dir;
  private LocalProvider provider;
  private Supervisors supervisors;
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  @AfterEach
  void stop() {
    if (supervisors != null) {
      supervisors.close();
    }
    if (provider != null) {
      provider.close();
    }
    ExampleApp.killDescendants();
  }

  @Test
  void firstPassingProbeRecordsBootLatencyPerRevisionAndRuntime() {
    provider = new LocalProvider(dir);
    supervisors = new Supervisors(Clock.systemUTC(), Duration.ofMillis(100), registry);
    RevisionImage slow = new RevisionImage("r1", "unix", ExampleApp.binary().toString(), null,
        List.of("--start-delay-ms=600"), 8080, io.dustcloud.provider.local.LocalSettings.runtime("process"));
    long started = System.nanoTime();
    provider.realize(DesiredFleet.single(FLEET, slow, 2));
    supervisors.supervise(FLEET, SupervisionSpec.fixed(provider, ProbeSpec.http("/health", Duration.ofSeconds(1), 3), 2));

    await().atMost(Duration.ofSeconds(30)).until(() -> supervisors.snapshot(FLEET).health().readyIds().size() == 2);
    await().atMost(Duration.ofSeconds(30)).until(() -> supervisors.snapshot(FLEET).health().bootMedianMillis().containsKey("r1"));
    // a boot lasts at least the app's start delay and at most as long as the test has waited since
    // it started the instances (not a speed limit: a unit or a start time mixed up is seen)
    double waitedMillis = (System.nanoTime() - started) / 1e6;

    Timer boot = registry.get("dustcloud_boot_duration_seconds")
        .tags("namespace", "default", "name", "boots", "revision", "r1", "runtime", "process").timer();
    assertThat(boot.count()).isEqualTo(2);
    assertThat(boot.max(java.util.concurrent.TimeUnit.MILLISECONDS)).isBetween(600.0, waitedMillis);
    assertThat(registry.get("dustcloud_cold_starts_total").tags("revision", "r1", "runtime", "process")
        .counter().count()).isEqualTo(2);
    assertThat(supervisors.snapshot(FLEET).health().bootMedianMillis().get("r1")).isBetween(600L, (long) waitedMillis);

    // ready instances are not booted again: later ticks add nothing
    await().pollDelay(Duration.ofMillis(500)).until(() -> true);
    assertThat(boot.count()).isEqualTo(2);
  }
}
