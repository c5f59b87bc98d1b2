package io.dustcloud.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.ValidationRule;

@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "has(self.gce) != has(self.local)",
    message = "exactly one of provider.gce or provider.local must be set")
public class ProviderSpec {
  @JsonPropertyDescription("Run the fleet as a managed instance group on Google Compute Engine.")
  public GceProviderSpec gce;

  @JsonPropertyDescription("Run the fleet on the operator's own host (development).")
  public LocalProviderSpec local;
}
