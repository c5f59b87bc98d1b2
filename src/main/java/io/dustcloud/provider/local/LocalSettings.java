package io.dustcloud.provider.local;

import io.dustcloud.core.Reason;
import io.dustcloud.provider.ProviderSettings;

/**
 * A revision's {@code provider.local} settings as this provider reads them. The defaults live
 * here, in the compact constructor: {@value #DEFAULT_MEMORY_MIB} MiB and {@value #DEFAULT_CPUS}
 * CPU when unset or not positive (the CRD bounds them; defaulting here, not in the CRD, keeps
 * the hash of revisions that never set them).
 *
 * @param runtime the runtime the spec names ({@code process}, {@code qemu}, {@code solo5}); it
 *     must agree with the artifact format, which decides; null follows the format
 * @param memoryMiB guest memory of a VM instance
 * @param cpus virtual CPUs of a VM instance
 */
public record LocalSettings(String runtime, Integer memoryMiB, Integer cpus) implements ProviderSettings {
  // 96 MiB is the least a Debian cloud kernel with an initramfs boots in; 128 leaves room
  public static final int DEFAULT_MEMORY_MIB = 128;
  public static final int DEFAULT_CPUS = 1;
  /** Every field at its default: the runtime follows the format. */
  public static final LocalSettings DEFAULT = new LocalSettings(null, null, null);

  public LocalSettings {
    memoryMiB = memoryMiB == null || memoryMiB <= 0 ? DEFAULT_MEMORY_MIB : memoryMiB;
    cpus = cpus == null || cpus <= 0 ? DEFAULT_CPUS : cpus;
  }

  /** Settings naming only a runtime. */
  public static LocalSettings runtime(String runtime) {
    return new LocalSettings(runtime, null, null);
  }

  /** {@code settings} as local settings; settings of another provider are a configuration error. */
  public static LocalSettings of(ProviderSettings settings) {
    return ProviderSettings.as(settings, LocalSettings.class, "local", Reason.INVALID_LOCAL_SETTINGS);
  }
}
