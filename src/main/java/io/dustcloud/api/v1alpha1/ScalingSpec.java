package io.dustcloud.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.ValidationRule;

@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "!has(self.minReplicas) || !has(self.maxReplicas) || self.minReplicas <= self.maxReplicas",
    message = "scaling.minReplicas must be less than or equal to scaling.maxReplicas")
public class ScalingSpec {
  public static final int MAX = 1000;

  @JsonPropertyDescription("Fewest instances the fleet runs.")
  @Min(0)
  @Max(MAX)
  @Default("1")
  public Integer minReplicas = 1;

  @JsonPropertyDescription("Most instances the fleet runs.")
  @Min(1)
  @Max(MAX)
  @Default("10")
  public Integer maxReplicas = 10;
}
