package io.dustcloud.operator;

import io.dustcloud.api.v1alpha1.UnikernelRevision;
import io.dustcloud.api.v1alpha1.UnikernelRevisionSpec;
import io.dustcloud.provider.RevisionImage;
import java.util.HashMap;
import java.util.Map;

/** TEMPORARY until the provider bindings land: a revision's bootable image. */
final class RevisionImages {
  private RevisionImages() {}

  static RevisionImage of(UnikernelRevision rev, String location, String sha256) {
    UnikernelRevisionSpec s = rev.getSpec();
    Map<String, String> settings = providerSettings(s.provider);
    if (s.provider != null && s.provider.local != null) {
      settings.put("runtime", s.provider.local.runtime.name());
      if (s.provider.local.memoryMiB != null) settings.put("memoryMiB", s.provider.local.memoryMiB.toString());
      if (s.provider.local.cpus != null) settings.put("cpus", s.provider.local.cpus.toString());
    }
    return new RevisionImage(rev.getMetadata().getName(), ResolveRevision.format(s).name(), location, sha256,
        s.bootArgs, s.port == null ? 8080 : s.port, settings);
  }

  static Map<String, String> providerSettings(io.dustcloud.api.v1alpha1.ProviderSpec provider) {
    Map<String, String> settings = new HashMap<>();
    var gce = provider == null ? null : provider.gce;
    if (gce != null) {
      putIfSet(settings, "project", gce.project);
      putIfSet(settings, "zone", gce.zone);
      putIfSet(settings, "region", gce.region);
      putIfSet(settings, "machineType", gce.machineType);
      putIfSet(settings, "network", gce.network);
      putIfSet(settings, "subnetwork", gce.subnetwork);
      putIfSet(settings, "serviceAccount", gce.serviceAccount);
      if (gce.tags != null && !gce.tags.isEmpty()) {
        settings.put("tags", String.join(",", gce.tags));
      }
      if (gce.labels != null) {
        gce.labels.forEach((k, v) -> settings.put("labels." + k, v));
      }
    }
    return settings;
  }

  private static void putIfSet(Map<String, String> settings, String key, String value) {
    if (value != null) {
      settings.put(key, value);
    }
  }
}
