package io.dustcloud.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.OperatorException;
import org.junit.jupiter.api.Test;

class ConflictDetectionTest {
  /** JOSDK hands updateErrorStatus what it wrapped: a conflict must still be seen as one. */
  @Test
  void findsAConflictWrappedByJosdk() {
    var conflict = new KubernetesClientException("the object has been modified", 409, null);
    assertThat(UnikernelReconciler.isConflict(new OperatorException(conflict))).isTrue();
    assertThat(UnikernelReconciler.isConflict(conflict)).isTrue();
    assertThat(UnikernelReconciler.isConflict(new OperatorException(new KubernetesClientException("gone", 503, null))))
        .isFalse();
    assertThat(UnikernelReconciler.isConflict(new IllegalStateException("x"))).isFalse();
  }
}
