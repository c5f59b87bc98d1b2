package io.dustcloud.operator.archfixture;

/**
 * Test-only classes outside the wiring package that break {@code ArchitectureTest}'s rule that
 * only the entry points use the wiring, one use each.
 */
public final class WiringViolations {
  private WiringViolations() {}

  public static class UsesTheCompositionRoot {
    io.dustcloud.wiring.DustcloudOperator operator;
  }

  public static class StartsClusterMode {
    void run() throws Exception {
      io.dustcloud.wiring.ClusterMode.main(new String[0]);
    }
  }
}
