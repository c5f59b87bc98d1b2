package io.dustcloud.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;
import java.util.Map;

@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "has(self.zone) != has(self.region)",
    message = "exactly one of gce.zone or gce.region must be set")
public class GceProviderSpec {
  @JsonPropertyDescription("GCE project id.")
  @Required
  @Pattern("^[a-z][-a-z0-9]{4,28}[a-z0-9]$")
  public String project;

  @JsonPropertyDescription("Zone of a zonal managed instance group, e.g. europe-west1-b.")
  @Pattern("^[a-z]+-[a-z]+[0-9]+-[a-z]$")
  public String zone;

  @JsonPropertyDescription("Region of a regional managed instance group, e.g. europe-west1.")
  @Pattern("^[a-z]+-[a-z]+[0-9]+$")
  public String region;

  @JsonPropertyDescription("Machine type of each instance.")
  @Default("e2-micro")
  @Pattern("^[a-z0-9][-a-z0-9]{0,62}$")
  public String machineType = "e2-micro";

  @JsonPropertyDescription("VPC network name or URL.")
  @Default("default")
  @Size(max = 1024)
  public String network = "default";

  @JsonPropertyDescription("Subnetwork name or URL (optional).")
  @Size(max = 1024)
  public String subnetwork;

  @JsonPropertyDescription("Service account email the instances run as (optional).")
  @Size(max = 320)
  public String serviceAccount;

  @JsonPropertyDescription("Extra labels on every GCE resource (GCE label rules apply).")
  @Size(max = 32)
  public Map<String, String> labels;

  @JsonPropertyDescription("Network tags on the instances.")
  @Size(max = 64)
  public List<String> tags;

  @JsonPropertyDescription(
      "The fleet's load balancer (health check, backend service, forwarding rule, address and firewall rules)."
          + " Fleet-level: changing it never starts a rollout.")
  public LoadBalancerSpec loadBalancer;
}
