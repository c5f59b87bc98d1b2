package io.dustcloud.provider.local;

import io.dustcloud.provider.ProviderSettings;

/** Memory and CPUs of a VM instance, from the revision's {@link LocalSettings} (which hold the defaults). */
record VmShape(int memoryMiB, int cpus) {

  static VmShape of(ProviderSettings settings) {
    LocalSettings local = LocalSettings.of(settings);
    return new VmShape(local.memoryMiB(), local.cpus());
  }
}
