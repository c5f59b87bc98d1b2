package io.dustcloud.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class HealthCheckSpec {
  @JsonPropertyDescription("HTTP probe on spec.port: an instance is healthy when GET path answers 2xx.")
  public HttpProbe http = new HttpProbe();

  @JsonPropertyDescription("Seconds between probes of a ready instance.")
  @Min(1)
  @Max(3600)
  @Default("30")
  public Integer periodSeconds = 30;

  @JsonPropertyDescription("Seconds a probe may take before it counts as failed.")
  @Min(1)
  @Max(60)
  @Default("1")
  public Integer timeoutSeconds = 1;

  @JsonPropertyDescription("Consecutive failed probes after which a ready instance is no longer ready.")
  @Min(1)
  @Max(100)
  @Default("3")
  public Integer failureThreshold = 3;

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class HttpProbe {
    @JsonPropertyDescription("Path to GET.")
    @Default("/health")
    @Pattern("^/[^\\s]*$")
    @Size(max = 1024)
    public String path = "/health";

  }
}
