package io.dustcloud.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** How many instances run: bounds, and the per-second autoscaler between them (docs/autoscaling.md). */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "!has(self.minReplicas) || !has(self.maxReplicas) || self.minReplicas <= self.maxReplicas",
    message = "scaling.minReplicas must be less than or equal to scaling.maxReplicas")
@ValidationRule(
    value = "!has(self.panicWindowSeconds) || !has(self.stableWindowSeconds) || self.panicWindowSeconds <= self.stableWindowSeconds",
    message = "scaling.panicWindowSeconds must not exceed scaling.stableWindowSeconds")
@ValidationRule(
    value = "!has(self.metric) || self.metric == 'cpu' || has(self.metricName)",
    message = "scaling.metricName is required unless scaling.metric is cpu")
@ValidationRule(
    value = "!has(self.metric) || self.metric == 'cpu' || (has(self.policy) && self.policy == 'Threshold') || has(self.target)",
    message = "scaling.target is required for target tracking unless scaling.metric is cpu")
@ValidationRule(
    value = "!has(self.policy) || self.policy != 'Threshold' || !has(self.metric) || self.metric == 'cpu'"
        + " || (has(self.scaleUpThreshold) && has(self.scaleDownThreshold))",
    message = "scaling.scaleUpThreshold and scaling.scaleDownThreshold are required for the Threshold policy unless scaling.metric is cpu")
@ValidationRule(
    value = "!has(self.scaleUpThreshold) || !has(self.scaleDownThreshold) || self.scaleDownThreshold < self.scaleUpThreshold",
    message = "scaling.scaleDownThreshold must be less than scaling.scaleUpThreshold")
public class ScalingSpec {
  public static final int MAX = 1000;

  public enum Policy {
    TargetTracking,
    Threshold
  }

  public enum Metric {
    cpu,
    rps,
    concurrency,
    custom
  }

  @JsonPropertyDescription("Fewest instances the fleet runs. The autoscaler never takes a serving fleet to zero.")
  @Min(0)
  @Max(MAX)
  @Default("1")
  public Integer minReplicas = 1;

  @JsonPropertyDescription("Most instances the fleet runs.")
  @Min(1)
  @Max(MAX)
  @Default("10")
  public Integer maxReplicas = 10;

  @JsonPropertyDescription(
      "How the total is decided every tick: TargetTracking (as many instances as hold the metric at"
          + " target each, with a stable and a panic window) or Threshold (add instances when the metric"
          + " stays above scaleUpThreshold for scaleUpForSeconds, remove them when it stays below"
          + " scaleDownThreshold for scaleDownForSeconds).")
  @Default("TargetTracking")
  public Policy policy = Policy.TargetTracking;

  @JsonPropertyDescription(
      "What to scale on, per ready instance: cpu (percent of one core, from the rate of"
          + " process_cpu_seconds_total), rps (the rate of the counter metricName), concurrency (the gauge"
          + " metricName, requests in flight), or custom (metricName: a counter's rate or a gauge's value).")
  @Default("cpu")
  public Metric metric = Metric.cpu;

  @JsonPropertyDescription(
      "The metric's name in the Prometheus exposition, summed over its label sets. Required unless"
          + " metric is cpu.")
  @Pattern("^[a-zA-Z_:][a-zA-Z0-9_:]*$")
  @Size(max = 200)
  public String metricName;

  @JsonPropertyDescription(
      "TargetTracking: the metric's value one instance should carry (cpu: percent of one core;"
          + " default 70 for cpu, required otherwise).")
  @Min(value = 0, inclusive = false)
  public Double target;

  @JsonPropertyDescription("Threshold: add instances when the metric stays above this (default 70 for cpu).")
  @Min(0)
  public Double scaleUpThreshold;

  @JsonPropertyDescription("Threshold: seconds the metric must stay above scaleUpThreshold.")
  @Min(0)
  @Max(3600)
  @Default("10")
  public Integer scaleUpForSeconds = 10;

  @JsonPropertyDescription("Threshold: remove instances when the metric stays below this (default 5 for cpu).")
  @Min(0)
  public Double scaleDownThreshold;

  @JsonPropertyDescription("Threshold: seconds the metric must stay below scaleDownThreshold.")
  @Min(0)
  @Max(3600)
  @Default("30")
  public Integer scaleDownForSeconds = 30;

  @JsonPropertyDescription("Seconds between autoscaling decisions (each scrapes every ready instance once).")
  @Min(1)
  @Max(60)
  @Default("1")
  public Integer tickSeconds = 1;

  @JsonPropertyDescription(
      "TargetTracking: the longest stretch of demand read for a trend (a steady rise is provisioned one boot"
          + " time ahead); reported in reasons.")
  @Min(1)
  @Max(3600)
  @Default("60")
  public Integer stableWindowSeconds = 60;

  @JsonPropertyDescription(
      "TargetTracking: the short window. The fleet is sized for its mean demand, or at once for a reading"
          + " beyond the observed noise (up at once, down after scaleDownDelaySeconds). When its mean reaches panicThresholdPercent of the ready instances'"
          + " capacity, or CPU saturates, the fleet does not scale down until a panic window has passed without"
          + " that.")
  @Min(1)
  @Max(600)
  @Default("6")
  public Integer panicWindowSeconds = 6;

  @JsonPropertyDescription("TargetTracking: panic when the panic window's demand is this percent of capacity.")
  @Min(110)
  @Max(1000)
  @Default("200")
  public Integer panicThresholdPercent = 200;

  @JsonPropertyDescription(
      "A scale-down goes only as low as the highest total recommended in the last this many seconds.")
  @Min(0)
  @Max(3600)
  @Default("30")
  public Integer scaleDownDelaySeconds = 30;

  @JsonPropertyDescription("One decision grows the fleet to at most this factor of its ready instances.")
  @Min(1)
  @Max(1000)
  @Default("10.0")
  public Double maxScaleUpRate = 10.0;

  @JsonPropertyDescription("One decision shrinks the fleet to no less than its size divided by this.")
  @Min(1)
  @Max(1000)
  @Default("2.0")
  public Double maxScaleDownRate = 2.0;

  @JsonPropertyDescription("Path of the instances' Prometheus metrics.")
  @Pattern("^/[^\\s]*$")
  @Size(max = 1024)
  @Default("/metrics")
  public String metricsPath = "/metrics";

  @JsonPropertyDescription(
      "Port of the instances' metrics when it is not spec.port (providers whose instances have their own"
          + " address, such as gce; the local provider serves metrics on the instance's port).")
  @Min(1)
  @Max(65535)
  public Integer metricsPort;
}
