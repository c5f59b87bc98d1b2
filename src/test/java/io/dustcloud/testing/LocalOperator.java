package io.dustcloud.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dustcloud.api.v1alpha1.Unikernel;
import io.dustcloud.operator.Conditions;
import io.dustcloud.wiring.DustcloudOperator;
import io.dustcloud.operator.OperatorConfig;
import io.dustcloud.binding.Bindings;
import io.dustcloud.operator.StatusConditions;
import io.dustcloud.provider.local.LocalProvider;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/**
 * The end-to-end set-up most operator tests share: the mock API server (CRUD mode), the
 * operator, and the local provider running the real example unikernel. Closing it stops the
 * operator and kills every process the test started, even after a failure.
 */
public final class LocalOperator implements AutoCloseable {
  public static final String NS = "default";
  public static final Duration WAIT = Duration.ofSeconds(40);

  private final Path dir;
  public final MockApiServer api;
  public final KubernetesClient client;
  private LocalProvider local;
  private DustcloudOperator operator;

  private LocalOperator(Path dir) throws Exception {
    this.dir = dir;
    ExampleApp.binary();
    this.api = new MockApiServer();
    this.client = api.client();
    startOperator();
  }

  public static LocalOperator start(Path dir) throws Exception {
    return new LocalOperator(dir);
  }

  private void startOperator() throws Exception {
    local = new LocalProvider(dir.resolve("local"));
    operator = new DustcloudOperator(client, OperatorConfig.dev(dir, 0),
        Bindings.of(local), Clock.systemUTC()).start();
  }

  /** Stops the operator, leaving instances running, as a crash or an upgrade would. */
  public void stopOperator() {
    if (operator != null) {
      operator.close();
      operator = null;
    }
  }

  /** A new operator and provider over the same state, as after a restart. */
  public void restartOperator() throws Exception {
    stopOperator();
    startOperator();
  }

  public LocalProvider local() {
    return local;
  }

  public Unikernel get(String name) {
    return client.resources(Unikernel.class).inNamespace(NS).withName(name).get();
  }

  /** Waits until {@code name} is Ready with {@code replicas} ready instances. */
  public Unikernel awaitReady(String name, int replicas) {
    await().ignoreExceptions().atMost(WAIT).untilAsserted(() -> {
      Unikernel uk = get(name);
      assertThat(uk.getStatus()).isNotNull();
      assertThat(StatusConditions.isTrue(uk.getStatus().conditions, Conditions.READY))
          .as("Ready in %s", uk.getStatus().conditions.stream().map(c -> c.type + "=" + c.status + " " + c.message).toList())
          .isTrue();
      assertThat(uk.getStatus().readyReplicas).isEqualTo(replicas);
    });
    return get(name);
  }

  @Override
  public void close() {
    stopOperator();
    api.close();
    ExampleApp.killDescendants();
  }
}
