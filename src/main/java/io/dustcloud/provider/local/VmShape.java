package io.dustcloud.provider.local;

import java.util.Map;

/**
 * Memory and CPUs of a VM instance, from the revision's settings ({@code
 * spec.provider.local.memoryMiB} and {@code cpus}). The CRD bounds them; the defaults live
 * here so revisions that never set them keep their hash.
 */
record VmShape(int memoryMiB, int cpus) {
  // 96 MiB is the least a Debian cloud kernel with an initramfs boots in; 128 leaves room
  static final int DEFAULT_MEMORY_MIB = 128;
  static final int DEFAULT_CPUS = 1;

  static VmShape of(Map<String, String> settings) {
    return new VmShape(positive(settings.get("memoryMiB"), DEFAULT_MEMORY_MIB),
        positive(settings.get("cpus"), DEFAULT_CPUS));
  }

  private static int positive(String value, int fallback) {
    try {
      int v = value == null ? fallback : Integer.parseInt(value.strip());
      return v > 0 ? v : fallback;
    } catch (NumberFormatException e) {
      return fallback;
    }
  }
}
