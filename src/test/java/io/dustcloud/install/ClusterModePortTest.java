package io.dustcloud.install;

import static org.assertj.core.api.Assertions.assertThat;

import io.dustcloud.dev.DevApiServer;
import io.dustcloud.testing.EndToEnd;
import io.dustcloud.testing.OperatorProcess;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dustcloud run} whose health port is taken exits with status 1 and a line naming the
 * port and the variable that changes it, instead of running without probes.
 */
@EndToEnd
class ClusterModePortTest {
  @TempDir Path dir;

  @Test
  void aTakenHealthPortEndsTheOperator() throws Exception {
    try (DevApiServer api = DevApiServer.start("127.0.0.1", 0);
        ServerSocket taken = new ServerSocket()) {
      taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      int port = taken.getLocalPort();
      Path log = dir.resolve("operator.log");
      try (OperatorProcess operator = OperatorProcess.start(Map.of(
          "KUBECONFIG", api.writeKubeconfig(dir.resolve("kubeconfig")).toString(),
          "DUSTCLOUD_LEADER_ELECTION", "false",
          "DUSTCLOUD_HTTP_PORT", Integer.toString(port),
          "DUSTCLOUD_STATE_DIR", dir.resolve("state").toString()), log)) {

        Integer status = operator.awaitExit(Duration.ofSeconds(120));

        assertThat(status).as("exit status; log:\n%s", operator.tail(40)).isNotNull().isNotZero();
        assertThat(Files.readAllLines(log)).contains(
            "dustcloud run: port " + port + " is in use (health and metrics); choose another with DUSTCLOUD_HTTP_PORT");
      }
    }
  }
}
