package io.dustcloud.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class LocalProviderSpec {
  @JsonPropertyDescription("How instances run: process (the unix target as a child process), qemu (virtio images), solo5 (hvt/spt tenders).")
  @Default("process")
  public Runtime runtime = Runtime.process;

  public enum Runtime {
    process,
    qemu,
    solo5
  }
}
