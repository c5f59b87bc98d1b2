package io.dustcloud.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class LocalProviderSpec {
  @JsonPropertyDescription("How instances run: process (the unix target as a child process), qemu (virtio images), solo5 (hvt/spt tenders).")
  @Default("process")
  public Runtime runtime = Runtime.process;

  // No schema default, so revisions created before these fields existed keep their hash
  // (a defaulted field would change every existing revision's spec and start a rollout).
  @JsonPropertyDescription("Guest memory per instance in MiB for the qemu and solo5 runtimes (default 128; a Linux microVM needs at least 96). Ignored by the process runtime.")
  @Min(32)
  @Max(65536)
  public Integer memoryMiB;

  @JsonPropertyDescription("Virtual CPUs per instance for the qemu runtime (default 1). Ignored by the process and solo5 runtimes.")
  @Min(1)
  @Max(64)
  public Integer cpus;

  public enum Runtime {
    process,
    qemu,
    solo5
  }
}
