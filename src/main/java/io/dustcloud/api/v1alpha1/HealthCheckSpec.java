package io.dustcloud.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.IntOrString;

@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "!(has(self.http) && has(self.tcp))",
    message = "at most one of healthCheck.http or healthCheck.tcp may be set")
public class HealthCheckSpec {
  @JsonPropertyDescription(
      "HTTP probe on spec.port: healthy when GET path answers a status in expectedStatus. The"
          + " default when neither http nor tcp is set.")
  public HttpProbe http;

  @JsonPropertyDescription("TCP probe on spec.port: healthy when a connection is accepted.")
  public TcpProbe tcp;

  @JsonPropertyDescription("Seconds between probes of a ready instance (instances not yet ready are probed every second).")
  @Min(1)
  @Max(3600)
  @Default("30")
  public Integer periodSeconds = 30;

  @JsonPropertyDescription("Seconds a probe may take before it counts as failed.")
  @Min(1)
  @Max(60)
  @Default("1")
  public Integer timeoutSeconds = 1;

  @JsonPropertyDescription("Consecutive failed probes after which a ready instance is unhealthy and is replaced.")
  @Min(1)
  @Max(100)
  @Default("3")
  public Integer failureThreshold = 3;

  @JsonPropertyDescription("Consecutive passing probes after which an instance is ready.")
  @Min(1)
  @Max(100)
  @Default("1")
  public Integer successThreshold = 1;

  @JsonPropertyDescription(
      "Seconds a new instance may take to pass its first probe; after that it counts as a hung boot"
          + " and is replaced.")
  @Min(1)
  @Max(3600)
  @Default("300")
  public Integer startupDeadlineSeconds = 300;

  @JsonPropertyDescription(
      "Most replacements booting at once: a count (3) or a share of the fleet (25%), at least 1.")
  @ValidationRule(
      value = "type(self) == int ? self >= 1 : self.matches('^[0-9]{1,3}%$')",
      message = "maxConcurrentRepairs must be a count of at least 1 or a percentage such as 25%")
  public IntOrString maxConcurrentRepairs;

  @JsonPropertyDescription(
      "When more than this percentage of the fleet is unhealthy at once, repairs stop and the"
          + " Unikernel is marked Stalled: the cause is then not in the instances (a wrong probe, a"
          + " dependency down), and replacing them would only churn.")
  @Min(1)
  @Max(100)
  @Default("50")
  public Integer maxUnhealthyPercent = 50;

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class HttpProbe {
    @JsonPropertyDescription("Path to GET.")
    @Default("/health")
    @Pattern("^/[^\\s]*$")
    @Size(max = 1024)
    public String path = "/health";

    @JsonPropertyDescription("HTTP statuses that pass: one code (200) or an inclusive range (200-399).")
    @Default("200-399")
    @Pattern("^[1-5][0-9]{2}(-[1-5][0-9]{2})?$")
    public String expectedStatus = "200-399";
  }

  /** Connect-only probe; no settings. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class TcpProbe {
    @JsonPropertyDescription("Reserved; a TCP probe only connects to spec.port.")
    public String note;
  }
}
