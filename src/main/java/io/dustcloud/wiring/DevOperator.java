package io.dustcloud.wiring;

import io.dustcloud.binding.Bindings;
import io.dustcloud.operator.OperatorConfig;
import io.dustcloud.provider.local.LocalProvider;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;

/**
 * The operator of {@code dustcloud dev}: the local provider only, over {@code stateDir}, against
 * the in-process API server. The API state of dev mode lives in memory, so instances left by an
 * earlier (killed) dev run are stopped at start, and this run's are stopped at close.
 */
public final class DevOperator implements AutoCloseable {
  private final LocalProvider local;
  private final DustcloudOperator operator;

  private DevOperator(LocalProvider local, DustcloudOperator operator) {
    this.local = local;
    this.operator = operator;
  }

  /** Starts the operator with the local provider; {@code httpPort} serves health and metrics. */
  public static DevOperator start(KubernetesClient client, Path stateDir, int httpPort) throws IOException {
    LocalProvider local = new LocalProvider(stateDir.resolve("local"));
    // the API state is new and empty: nothing from an earlier dev run can be adopted
    local.stopAll();
    DustcloudOperator operator = new DustcloudOperator(client, OperatorConfig.dev(stateDir, httpPort),
        Bindings.of(local), Clock.systemUTC()).start();
    return new DevOperator(local, operator);
  }

  public int httpPort() {
    return operator.httpPort();
  }

  @Override
  public void close() {
    operator.close();
    local.stopAll();
  }
}
