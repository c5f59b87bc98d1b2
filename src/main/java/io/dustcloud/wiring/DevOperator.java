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
 * the in-process API server, with health and metrics on loopback. The API state of dev mode
 * lives in memory, so instances left by an earlier (killed) dev run are stopped at start, and
 * this run's are stopped at close.
 */
public final class DevOperator implements AutoCloseable {
  private final LocalProvider local;
  private final DustcloudOperator operator;
  private boolean closed;

  private DevOperator(LocalProvider local, DustcloudOperator operator) {
    this.local = local;
    this.operator = operator;
  }

  /**
   * Starts the operator with the local provider; {@code httpPort} serves health and metrics on
   * loopback.
   *
   * @throws io.dustcloud.operator.PortUnavailableException when {@code httpPort} cannot be bound;
   *     nothing is left running then
   */
  public static DevOperator start(KubernetesClient client, Path stateDir, int httpPort) throws IOException {
    return start(client, stateDir, httpPort, java.util.List.of());
  }

  /** @param trust directories trusted for local artifacts and builds besides the working and state directories */
  public static DevOperator start(KubernetesClient client, Path stateDir, int httpPort, java.util.List<Path> trust)
      throws IOException {
    // the whole tree (instances, logs, artifacts, builds) is this user's alone: 0700 from the top
    LocalProvider.privateStateDir(stateDir);
    LocalProvider local = new LocalProvider(stateDir.resolve("local"));
    DustcloudOperator operator;
    try {
      // the API state is new and empty: nothing from an earlier dev run can be adopted
      local.stopAll();
      // DUSTCLOUD_GCE_ENABLED=true adds the GCE provider, as in a cluster: try it against a
      // project, or against the Compute fake (FakeComputeMain) with DUSTCLOUD_GCE_ENDPOINT
      io.dustcloud.provider.gce.GceConfig gce = io.dustcloud.provider.gce.GceConfig.fromEnv(System.getenv());
      operator = new DustcloudOperator(client, OperatorConfig.dev(stateDir, httpPort).trusting(trust),
          gce.enabled() ? Bindings.of(local, io.dustcloud.provider.gce.GceProvider.create(gce, Clock.systemUTC()))
              : Bindings.of(local), Clock.systemUTC());
    } catch (IOException | RuntimeException e) {
      local.close();
      throw e;
    }
    try {
      operator.start();
    } catch (RuntimeException e) {
      new DevOperator(local, operator).close();
      throw e;
    }
    return new DevOperator(local, operator);
  }

  public int httpPort() {
    return operator.httpPort();
  }

  public java.net.InetSocketAddress httpAddress() {
    return operator.httpAddress();
  }

  /**
   * Stops every instance this dev run started. In this order: nothing reconciles or repairs any
   * more (so nothing starts an instance behind our back), every instance is stopped through the
   * provider while it is still open, then the provider closes. Idempotent: the shutdown hook and
   * a caller may both close.
   */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    try {
      operator.stopActing();
      local.stopAll();
    } finally {
      operator.close();
      // a start that was under way when JOSDK stopped lands before close refuses more: stop it
      local.stopAll();
    }
  }
}
