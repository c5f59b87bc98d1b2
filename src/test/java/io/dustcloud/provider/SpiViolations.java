package io.dustcloud.provider;

/**
 * Test-only classes in the SPI package that break {@code ArchitectureTest}'s SPI rule, one
 * provider named each.
 */
public final class SpiViolations {
  private SpiViolations() {}

  public static class NamesGce {
    io.dustcloud.provider.gce.GceSettings settings;
  }

  public static class NamesLocal {
    Object settings() {
      return io.dustcloud.provider.local.LocalSettings.DEFAULT;
    }
  }
}
