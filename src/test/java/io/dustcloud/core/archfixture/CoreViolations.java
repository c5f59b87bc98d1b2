package io.dustcloud.core.archfixture;

/**
 * Test-only classes in the core package that break {@code ArchitectureTest}'s core rule, one
 * forbidden dependency each, so the test can show the rule fires. Never imported by the check
 * of main classes (test classes are excluded). No com.google or io.dustcloud.dev classes are
 * on the test classpath, so those two packages have no fixture.
 */
public final class CoreViolations {
  private CoreViolations() {}

  public static class UsesFabric8 {
    io.fabric8.kubernetes.api.model.ObjectMeta meta;
  }

  public static class UsesOperatorSdk {
    io.javaoperatorsdk.operator.api.reconciler.Reconciler<?> reconciler;
  }

  public static class UsesApi {
    io.dustcloud.api.v1alpha1.UnikernelSpec spec;
  }

  public static class UsesOperator {
    io.dustcloud.operator.Conditions conditions;
  }

  public static class UsesProvider {
    io.dustcloud.provider.FleetId fleet;
  }

  public static class UsesSupervisor {
    io.dustcloud.supervisor.ProbeSpec probe;
  }
}
