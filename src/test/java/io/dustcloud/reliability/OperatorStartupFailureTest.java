package io.dustcloud.reliability;

import io.dustcloud.testing.EndToEnd;
import static org.assertj.core.api.Assertions.assertThat;

import io.dustcloud.api.CrdFiles;
import io.dustcloud.dev.DevApiServer;
import io.dustcloud.testing.OperatorProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Finding of the crash harness: an operator JVM whose start failed (JOSDK could not start the
 * Unikernel informer) logged "Error starting operator" and then stayed alive doing nothing,
 * held up by its non-daemon threads. It must exit non-zero so it is restarted.
 */
@EndToEnd
class OperatorStartupFailureTest {
  @TempDir Path dir;

  @Test
  void anOperatorThatCannotStartExitsNonZero() {
    // an API server that answers every request 503: the Unikernel informer cannot list, and
    // JOSDK gives up starting. (An object the operator cannot read no longer does this:
    // LenientReader, InvalidObjectsEndToEndTest.)
    try (DevApiServer api = DevApiServer.start("127.0.0.1", 0)) {
      api.installCrds(CrdFiles.load());
      api.faults().unavailable = true;
      try (OperatorProcess operator = OperatorProcess.start(Map.of(
          "KUBECONFIG", api.writeKubeconfig(dir.resolve("kubeconfig")).toString(),
          "DUSTCLOUD_LEADER_ELECTION", "false",
          "DUSTCLOUD_HTTP_PORT", "0",
          "DUSTCLOUD_STATE_DIR", dir.resolve("state").toString(),
          // the client's own retries of a 503 (10 by default, 100 ms doubling to 3.2 s: about 20 s)
          // come before JOSDK gives up; one is enough to show the giving up
          "KUBERNETES_REQUEST_RETRY_BACKOFFLIMIT", "1"), dir.resolve("operator.log"))) {
        Integer exit = operator.awaitExit(Duration.ofSeconds(60));
        assertThat(exit).as("exit code; log:\n%s", operator.tail(40)).isNotNull().isNotZero();
      }
    }
  }
}
