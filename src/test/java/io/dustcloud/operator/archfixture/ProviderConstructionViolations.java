package io.dustcloud.operator.archfixture;

import java.nio.file.Path;

/**
 * Test-only classes outside the wiring and binding packages that break {@code
 * ArchitectureTest}'s rule that only they make providers, one provider each.
 */
public final class ProviderConstructionViolations {
  private ProviderConstructionViolations() {}

  public static class ConstructsLocalProvider {
    Object provider(Path dir) {
      return new io.dustcloud.provider.local.LocalProvider(dir);
    }
  }

  public static class ConstructsGceProvider {
    Object provider(io.dustcloud.provider.gce.GceConfig config) {
      return io.dustcloud.provider.gce.GceProvider.create(config, java.time.Clock.systemUTC());
    }
  }
}
