package io.dustcloud.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

/**
 * The traffic path of a GCE fleet: a regional passthrough load balancer in front of its
 * managed instance group. Fleet-level, not revision-level: changing it never starts a rollout.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "!has(self.sourceRanges) || self.type != 'None'",
    message = "loadBalancer.sourceRanges needs a load balancer (type External or Internal)")
public class LoadBalancerSpec {
  /** The kind of load balancer. */
  public enum Type {
    /** An external passthrough network load balancer with a reserved external address. */
    External,
    /** An internal passthrough network load balancer with a reserved address in the fleet's subnetwork. */
    Internal,
    /** No load balancer: no address, no endpoint; instances are still probed and healed. */
    None
  }

  @JsonPropertyDescription(
      "External (default): an external passthrough network load balancer; Internal: an internal one, reachable"
          + " from the VPC; None: no load balancer and no status.endpoint.")
  @Default("External")
  public Type type = Type.External;

  @JsonPropertyDescription("Port the load balancer serves; defaults to spec.port.")
  @Min(1)
  @Max(65535)
  public Integer port;

  @JsonPropertyDescription(
      "Client address ranges (CIDR) admitted to the serving port: passthrough load balancers keep the client's"
          + " address, so the firewall must admit the clients. Default: 0.0.0.0/0 for External, the RFC 1918"
          + " ranges for Internal.")
  @Size(min = 1, max = 64)
  public List<@Size(max = 18) @Pattern("^([0-9]{1,3}[.]){3}[0-9]{1,3}/([0-9]|[12][0-9]|3[0-2])$") String> sourceRanges;

  @JsonPropertyDescription(
      "Seconds a leaving instance keeps its open connections (connection draining) before it is deleted; new"
          + " connections stop at once.")
  @Min(0)
  @Max(3600)
  @Default("30")
  public Integer drainingSeconds = 30;
}
