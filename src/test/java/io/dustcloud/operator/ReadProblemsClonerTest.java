package io.dustcloud.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.dustcloud.api.v1alpha1.ReadProblems;
import io.dustcloud.api.v1alpha1.Unikernel;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import org.junit.jupiter.api.Test;

/**
 * JOSDK copies each resource before reconciling it; the copy must still say what could not be
 * read, or a Unikernel with an unreadable spec reaches the gate as one without a spec.
 */
class ReadProblemsClonerTest {
  final KubernetesSerialization serialization = new KubernetesSerialization();
  final ReadProblemsCloner cloner = new ReadProblemsCloner(serialization);

  @Test
  void theCopyOfAnObjectThatCouldNotBeReadSaysSo() {
    Unikernel read = serialization.unmarshal("{\"apiVersion\": \"dustcloud.io/v1alpha1\", \"kind\": \"Unikernel\","
        + " \"metadata\": {\"name\": \"hello\"}, \"spec\": {\"port\": \"abc\"}, \"status\": {\"replicas\": \"x\"}}",
        Unikernel.class);

    Unikernel copy = cloner.clone(read);

    assertThat(copy).isNotSameAs(read);
    assertThat(copy.getSpec()).isNull();
    assertThat(copy.readProblems()).isEqualTo(read.readProblems());
    assertThat(copy.readProblems().spec().path()).isEqualTo("spec.port");
    assertThat(copy.readProblems().status().path()).isEqualTo("status.replicas");
  }

  @Test
  void otherObjectsAreCopiedAsJosdkWould() {
    ConfigMap cm = new ConfigMapBuilder().withNewMetadata().withName("c").endMetadata().addToData("k", "v").build();
    assertThat(cloner.clone(cm)).isEqualTo(cm).isNotSameAs(cm);
    Unikernel fine = new Unikernel();
    assertThat(cloner.clone(fine).readProblems()).isEqualTo(ReadProblems.none());
  }
}
