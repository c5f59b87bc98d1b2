package io.dustcloud.reliability;

import io.dustcloud.testing.EndToEnd;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The small version of the crash harness (3 kills per provider) in the default suite; the
 * {@code scale} benchmark runs 20+ kills per provider. {@code -Dcrash.seed=N} replays a run.
 */
@EndToEnd
class OperatorCrashTest {
  @TempDir Path dir;
  CrashHarness harness;

  @AfterEach
  void stop() {
    if (harness != null) {
      harness.close();
    }
  }

  @Test
  void localFleetSurvivesKillsDuringCreateScaleAndRollout() {
    harness = new CrashHarness(dir, new LocalCrashBackend(dir), CrashHarness.seed(), Duration.ofSeconds(90));
    CrashHarness.Result r = harness.run("crashy", 1, 3, 2500);
    assertThat(r.failures()).as("seed %d; operator log:\n%s", r.seed(), harness.operatorLogTail()).isEmpty();
    assertThat(r.kills()).isEqualTo(3);
    assertThat(r.killsConverged()).isEqualTo(3);
  }

  @Test
  void gceFleetSurvivesKillsDuringCreateScaleAndRollout() {
    harness = new CrashHarness(dir, new GceCrashBackend(), CrashHarness.seed(), Duration.ofSeconds(90));
    CrashHarness.Result r = harness.run("crashy", 1, 3, 2500);
    assertThat(r.failures()).as("seed %d; operator log:\n%s", r.seed(), harness.operatorLogTail()).isEmpty();
    assertThat(r.killsConverged()).isEqualTo(3);
  }
}
