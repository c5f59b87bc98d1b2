package io.dustcloud.supervisor.archfixture;

/**
 * Test-only classes in the supervisor package that break {@code ArchitectureTest}'s
 * "Kubernetes-free" rule, one forbidden dependency each.
 */
public final class SupervisorViolations {
  private SupervisorViolations() {}

  public static class UsesFabric8Model {
    io.fabric8.kubernetes.api.model.ObjectMeta metadata;
  }

  public static class UsesTheCrd {
    io.dustcloud.api.v1alpha1.UnikernelSpec spec;
  }

  public static class UsesBinding {
    io.dustcloud.binding.ProviderBinding binding;
  }
}
