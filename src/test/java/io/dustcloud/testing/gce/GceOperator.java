package io.dustcloud.testing.gce;

import io.dustcloud.wiring.DustcloudOperator;
import io.dustcloud.operator.OperatorConfig;
import io.dustcloud.binding.Bindings;
import io.dustcloud.testing.MockApiServer;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/**
 * The set-up the GCE operator tests share: the mock API server, the Compute fake (whose
 * instances answer on their own loopback addresses, behind its load balancer), and the operator
 * with the GCE provider talking to the fake through the real client. Closing it stops
 * everything, faults first.
 */
public final class GceOperator implements AutoCloseable {
  public final MockApiServer api;
  public final KubernetesClient client;
  public final FakeCompute fake;
  public final DustcloudOperator operator;

  private GceOperator(Path dir, FakeCompute fake, int callsPerMinute, Duration observeInterval) throws Exception {
    this.api = new MockApiServer();
    this.client = api.client();
    this.fake = fake;
    this.operator = new DustcloudOperator(client, OperatorConfig.dev(dir.resolve("state"), 0),
        Bindings.of(GceTesting.provider(fake, callsPerMinute, observeInterval, Clock.systemUTC())),
        Clock.systemUTC()).start();
  }

  /** Starts the operator on a fresh fake ({@link GceTesting#fake}). */
  public static GceOperator start(Path dir, int callsPerMinute, Duration observeInterval) throws Exception {
    return start(dir, GceTesting.fake(), callsPerMinute, observeInterval);
  }

  /** Starts the operator on {@code fake}, which the harness closes. */
  public static GceOperator start(Path dir, FakeCompute fake, int callsPerMinute, Duration observeInterval)
      throws Exception {
    return new GceOperator(dir, fake, callsPerMinute, observeInterval);
  }

  @Override
  public void close() {
    fake.faults.clear();
    operator.close();
    api.close();
    fake.close();
  }
}
