package io.dustcloud.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dustcloud.api.v1alpha1.Condition;
import io.dustcloud.api.v1alpha1.Unikernel;
import io.dustcloud.api.v1alpha1.UnikernelStatus;
import io.dustcloud.core.Reason;
import io.dustcloud.testing.EndToEnd;
import io.dustcloud.testing.ExampleApp;
import io.dustcloud.testing.LocalOperator;
import io.dustcloud.testing.Unikernels;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real example unikernel with a boot argument it rejects, through the whole operator: it
 * used to be started hundreds of times a minute (the provider replaced it on every reconcile)
 * while status said repairs were suspended, with {@code restarts: 0}, and every start left a
 * log file behind for good. Counts, not timings: the restarts between two backoff steps, the
 * log files at a point of the schedule.
 */
@EndToEnd
class CrashLoopEndToEndTest {
  static final String NS = "default";
  static final Duration WAIT = Duration.ofSeconds(60);
  private static final Pattern ROUND = Pattern.compile("restarted (\\d+) times?, backing off (\\d+)s");
  @TempDir Path dir;
  LocalOperator env;
  KubernetesClient client;
  /** Every status read, to check that Stalled and Reconciling were never both True. */
  private final List<UnikernelStatus> seen = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() throws Exception {
    env = LocalOperator.start(dir);
    client = env.client;
  }

  @AfterEach
  void stop() {
    env.close();
  }

  @Test
  void aProgramThatExitsAtOnceBacksOffIsReportedAndRecoversWhenTheSpecIsFixed() {
    Unikernel uk = Unikernels.local(NS, "hello", ExampleApp.BINARY, 2, "--no-such-flag");
    client.resource(uk).create();

    // Degraded=CrashLoopBackOff with the program's own complaint, restarts counted
    await().ignoreExceptions().atMost(WAIT).untilAsserted(() -> {
      Condition degraded = condition(Conditions.DEGRADED);
      assertThat(degraded.status).isEqualTo("True");
      assertThat(degraded.reason).isEqualTo(Reason.CRASH_LOOP_BACK_OFF.value());
      assertThat(degraded.message).contains("invalid argument '--no-such-flag'").contains("next attempt at");
      assertThat(status().restarts).isPositive();
    });

    // the backoff reaches 8 s: by then few instances were started, and few logs are left
    await().ignoreExceptions().atMost(WAIT).until(() -> backoffSeconds() >= 8);
    int round = round();
    long restarts = status().restarts;
    // each round replaces at most the fleet's 2 instances, and 2 were started first
    assertThat(restarts).as("replacements after %d rounds", round).isLessThanOrEqualTo(2L * round);
    assertThat(logFiles()).as("3 kept per revision, and the 2 current ones").hasSizeLessThanOrEqualTo(5);

    // the next step of the schedule: one more round, so at most 2 more starts
    await().ignoreExceptions().atMost(WAIT).until(() -> round() > round);
    int next = round();
    long after = status().restarts;
    assertThat(after - restarts).as("starts between backoff rounds %d and %d", round, next)
        .isLessThanOrEqualTo(2L * (next - round));
    assertThat(logFiles()).hasSizeLessThanOrEqualTo(5);

    // the fix: a new revision without the flag becomes Ready, and nothing backs off any more
    Unikernel fixed = env.get("hello");
    fixed.getSpec().bootArgs = List.of();
    client.resource(fixed).update();
    env.awaitReady("hello", 2);
    await().ignoreExceptions().atMost(WAIT).untilAsserted(() -> {
      Condition degraded = condition(Conditions.DEGRADED);
      assertThat(degraded.status).isEqualTo("False");
      assertThat(degraded.reason).isEqualTo(Reason.INSTANCES_HEALTHY.value());
    });
    assertThat(status().restarts).as("restarts are the fleet's history: kept").isGreaterThanOrEqualTo(after);

    assertThat(seen).as("Stalled=True together with Reconciling=True")
        .noneMatch(s -> s != null && StatusConditions.isTrue(s.conditions, Conditions.STALLED)
            && StatusConditions.isTrue(s.conditions, Conditions.RECONCILING));

    client.resource(fixed).delete();
    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(env.get("hello")).isNull();
      assertThat(ExampleApp.instances()).as("instance processes after delete").isEmpty();
      assertThat(logFiles()).as("log files after delete").isEmpty();
    });
  }

  /**
   * A new revision that crash-loops during a rollout is the rollout's business: it never becomes
   * ready, so it misses its progress deadline and is rolled back; the backoff only spaces its
   * restarts meanwhile, and goes with the revision.
   */
  @Test
  void aCrashLoopingNewRevisionIsRolledBackNotHiddenByTheBackoff() {
    Unikernel uk = Unikernels.local(NS, "hello", ExampleApp.BINARY, 2, "--version=v1");
    uk.getSpec().rollout.progressDeadlineSeconds = 10;
    uk.getSpec().rollout.verificationSeconds = 1;
    uk.getSpec().rollout.keepPreviousSeconds = 1;
    client.resource(uk).create();
    String v1 = env.awaitReady("hello", 2).getStatus().currentRevision;
    await().ignoreExceptions().atMost(WAIT).until(() -> v1.equals(status().lastGoodRevision));

    Unikernel bad = env.get("hello");
    bad.getSpec().bootArgs = List.of("--version=v2", "--no-such-flag");
    client.resource(bad).update();

    await().ignoreExceptions().atMost(WAIT).untilAsserted(() -> {
      UnikernelStatus s = status();
      Condition rolledBack = StatusConditions.find(s.conditions, Conditions.ROLLED_BACK);
      assertThat(rolledBack.status).isEqualTo("True");
      assertThat(rolledBack.message).contains("ProgressDeadlineExceeded");
      assertThat(s.updateRevision).isEqualTo(v1);
      assertThat(s.failedRevision).isNotNull().isNotEqualTo(v1);
    });
    // the failed revision's instances are gone, and its crash loop with them
    await().ignoreExceptions().atMost(WAIT).untilAsserted(() -> {
      Condition degraded = condition(Conditions.DEGRADED);
      assertThat(degraded.reason).isNotEqualTo(Reason.CRASH_LOOP_BACK_OFF.value());
      assertThat(status().readyReplicas).isEqualTo(2);
    });
  }

  private UnikernelStatus status() {
    UnikernelStatus s = env.get("hello").getStatus();
    seen.add(s);
    return s;
  }

  private Condition condition(String type) {
    Condition c = StatusConditions.find(status().conditions, type);
    assertThat(c).as(type).isNotNull();
    return c;
  }

  private Matcher crashLoop() {
    Condition degraded = condition(Conditions.DEGRADED);
    Matcher m = ROUND.matcher(degraded.message == null ? "" : degraded.message);
    assertThat(m.find()).as("a crash loop in %s", degraded.message).isTrue();
    return m;
  }

  private int round() {
    return Integer.parseInt(crashLoop().group(1));
  }

  private int backoffSeconds() {
    return Integer.parseInt(crashLoop().group(2));
  }

  private List<Path> logFiles() {
    Path logs = dir.resolve("local").resolve("instances");
    if (!Files.isDirectory(logs)) {
      return List.of();
    }
    try (var files = Files.list(logs)) {
      return files.filter(p -> p.getFileName().toString().endsWith(".log")).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
