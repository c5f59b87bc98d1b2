package io.dustcloud.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.dustcloud.api.v1alpha1.Unikernel;
import io.dustcloud.testing.MockApiServer;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An informer that stops makes the operator not ready instead of ending it (JOSDK's default
 * handler called System.exit); stopping on purpose (no error, or while closing) does not.
 * A real, never-started fabric8 informer stands for the one JOSDK reports.
 */
class InformerHealthTest {
  MockApiServer api;

  @BeforeEach
  void start() {
    api = new MockApiServer();
  }

  @AfterEach
  void stop() {
    api.close();
  }

  @Test
  void anInformerStoppedByAnErrorMakesTheOperatorNotReady() {
    InformerHealth health = new InformerHealth(() -> false);
    var informer = api.client().resources(Unikernel.class).runnableInformer(0);
    assertThat(health.healthy()).isTrue();

    health.onStop(informer, new KubernetesClientException("watch failed for good"));

    assertThat(health.healthy()).isFalse();
    assertThat(health.stopped()).contains("Unikernel");
  }

  @Test
  void anInformerStoppedOnPurposeChangesNothing() {
    AtomicBoolean closing = new AtomicBoolean();
    InformerHealth health = new InformerHealth(closing::get);
    var informer = api.client().resources(Unikernel.class).runnableInformer(0);

    health.onStop(informer, null);
    closing.set(true);
    health.onStop(informer, new KubernetesClientException("closed"));

    assertThat(health.healthy()).isTrue();
    assertThat(health.stopped()).isEmpty();
  }
}
