package io.dustcloud.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dustcloud.api.v1alpha1.Unikernel;
import io.dustcloud.operator.Conditions;
import io.dustcloud.operator.StatusConditions;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;

/** The rollout steps the provider-specific rollout tests share, read from a Unikernel's status. */
public final class Rollouts {
  private final KubernetesClient client;
  private final String namespace;
  private final String name;
  private final Duration wait;

  public Rollouts(KubernetesClient client, String namespace, String name, Duration wait) {
    this.client = client;
    this.namespace = namespace;
    this.name = name;
    this.wait = wait;
  }

  public Unikernel get() {
    return client.resources(Unikernel.class).inNamespace(namespace).withName(name).get();
  }

  /** Waits until a revision other than {@code from} serves every instance and the fleet is Ready. */
  public String awaitPromoted(String from) {
    await().ignoreExceptions().atMost(wait).untilAsserted(() -> {
      Unikernel now = get();
      assertThat(now.getStatus().promotedTime).isNotNull();
      assertThat(now.getStatus().currentRevision).isNotNull().isNotEqualTo(from);
      assertThat(now.getStatus().currentRevision).isEqualTo(now.getStatus().updateRevision);
      assertThat(StatusConditions.isTrue(now.getStatus().conditions, Conditions.READY)).isTrue();
    });
    return get().getStatus().currentRevision;
  }

  public void awaitLastGood(String revision) {
    await().ignoreExceptions().atMost(wait).untilAsserted(() ->
        assertThat(get().getStatus().lastGoodRevision).isEqualTo(revision));
  }

  /** Changes the boot arguments as a user would (a new revision). */
  public void setBootArgs(String... args) {
    Unikernel change = get();
    change.getSpec().bootArgs = List.of(args);
    Unikernels.update(client, change);
  }
}
