package io.dustcloud.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HealthServerTest {

  @Test
  void devModeListensOnLoopbackAndAClusterOnEveryInterface() {
    assertThat(OperatorConfig.dev(Path.of("/tmp/x"), 0).httpAddress().isLoopbackAddress()).isTrue();
    // the kubelet probes the Pod's IP
    assertThat(OperatorConfig.fromEnv(Map.of()).httpAddress().isAnyLocalAddress()).isTrue();
    assertThat(OperatorConfig.dev(Path.of("/tmp/x"), 0).withHttpPort(9).httpAddress().isLoopbackAddress()).isTrue();
  }

  @Test
  void bindsTheAddressItIsGiven() {
    try (HealthServer loopback = HealthServer.bind(OperatorConfig.LOOPBACK, 0)
        .serve(() -> true, () -> true, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))) {
      assertThat(loopback.address().getAddress().isLoopbackAddress()).isTrue();
    }
    try (HealthServer all = HealthServer.bind(OperatorConfig.ALL_INTERFACES, 0)) {
      assertThat(all.address().getAddress().isAnyLocalAddress()).isTrue();
    }
  }

  @Test
  void aPortInUseIsReportedWithThePortAndWhatItWasFor() throws Exception {
    try (ServerSocket taken = new ServerSocket()) {
      taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      int port = taken.getLocalPort();

      assertThatThrownBy(() -> HealthServer.bind(OperatorConfig.LOOPBACK, port))
          .isInstanceOfSatisfying(PortUnavailableException.class, e -> {
            assertThat(e.port()).isEqualTo(port);
            assertThat(e.inUse()).isTrue();
            assertThat(e.explain("--http-port")).isEqualTo(
                "port " + port + " is in use (health and metrics); choose another with --http-port");
          });
    }
  }

  @Test
  void closeIsIdempotentAndFreesAPortThatWasNeverServed() throws Exception {
    HealthServer bound = HealthServer.bind(OperatorConfig.LOOPBACK, 0);
    int port = bound.port();
    bound.close();
    bound.close();
    try (ServerSocket again = new ServerSocket()) {
      again.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
    }
  }
}
