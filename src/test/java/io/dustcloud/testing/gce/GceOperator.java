package io.dustcloud.testing.gce;

import io.dustcloud.wiring.DustcloudOperator;
import io.dustcloud.operator.OperatorConfig;
import io.dustcloud.binding.Bindings;
import io.dustcloud.provider.gce.InstanceAddresses;
import io.dustcloud.testing.LoopbackHealth;
import io.dustcloud.testing.MockApiServer;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/**
 * The set-up the GCE operator tests share: the mock API server, the Compute fake, loopback
 * health endpoints standing in for the instances, and the operator with the GCE provider
 * talking to the fake through the real client. Closing it stops everything, faults first.
 */
public final class GceOperator implements AutoCloseable {
  public final MockApiServer api;
  public final KubernetesClient client;
  public final FakeCompute fake;
  public final LoopbackHealth health;
  public final DustcloudOperator operator;

  private GceOperator(Path dir, LoopbackHealth health, String addressTemplate, int callsPerMinute,
      Duration observeInterval) throws Exception {
    this.health = health;
    this.api = new MockApiServer();
    this.client = api.client();
    this.fake = GceTesting.fake();
    this.operator = new DustcloudOperator(client, OperatorConfig.dev(dir.resolve("state"), 0),
        Bindings.of(GceTesting.provider(fake, new InstanceAddresses(addressTemplate),
            callsPerMinute, observeInterval, Clock.systemUTC())),
        Clock.systemUTC()).start();
  }

  /**
   * Starts the operator; instance addresses come from {@code addressTemplate} (see {@link
   * InstanceAddresses}), usually on {@code health}, which the harness closes.
   */
  public static GceOperator start(Path dir, LoopbackHealth health, String addressTemplate, int callsPerMinute,
      Duration observeInterval) throws Exception {
    return new GceOperator(dir, health, addressTemplate, callsPerMinute, observeInterval);
  }

  /** Every instance answers health checks on one loopback server. */
  public static GceOperator start(Path dir, int callsPerMinute, Duration observeInterval) throws Exception {
    LoopbackHealth health = new LoopbackHealth();
    return start(dir, health, health.address(), callsPerMinute, observeInterval);
  }

  @Override
  public void close() {
    fake.faults.clear();
    operator.close();
    api.close();
    health.close();
    fake.close();
  }
}
