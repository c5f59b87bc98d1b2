package io.dustcloud.provider.archfixture;

/**
 * Test-only classes in the provider package that break {@code ArchitectureTest}'s
 * "Kubernetes-free" rule, one forbidden dependency each.
 */
public final class ProviderKubernetesViolations {
  private ProviderKubernetesViolations() {}

  public static class UsesFabric8 {
    io.fabric8.kubernetes.client.KubernetesClient client;
  }

  public static class UsesOperatorSdk {
    io.javaoperatorsdk.operator.api.reconciler.Context<?> context;
  }

  public static class UsesTheCrd {
    io.dustcloud.api.v1alpha1.ProviderSpec spec;
  }

  public static class UsesOperator {
    io.dustcloud.operator.OperatorConfig config;
  }

  public static class UsesBinding {
    io.dustcloud.binding.Bindings bindings;
  }

  public static class UsesWiring {
    io.dustcloud.wiring.DustcloudOperator operator;
  }
}
