package io.dustcloud.api.archfixture;

/**
 * Test-only classes in the API package that break {@code ArchitectureTest}'s "plain data" rule,
 * one forbidden dependency each.
 */
public final class ApiViolations {
  private ApiViolations() {}

  public static class UsesTheCore {
    io.dustcloud.core.Reason reason;
  }

  public static class UsesAProvider {
    io.dustcloud.provider.RevisionImage image;
  }

  public static class UsesTheOperator {
    io.dustcloud.operator.OperatorConfig config;
  }

  public static class UsesOperatorSdk {
    io.javaoperatorsdk.operator.api.reconciler.Context<?> context;
  }
}
