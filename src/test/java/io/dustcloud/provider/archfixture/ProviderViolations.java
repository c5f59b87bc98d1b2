package io.dustcloud.provider.archfixture;

/**
 * Test-only classes in the provider package that break {@code ArchitectureTest}'s provider
 * rule, one forbidden dependency each.
 */
public final class ProviderViolations {
  private ProviderViolations() {}

  public static class UsesOperatorSdk {
    io.javaoperatorsdk.operator.api.reconciler.Context<?> context;
  }

  public static class UsesOperator {
    io.dustcloud.operator.OperatorConfig config;
  }
}
