package io.dustcloud.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.ArrayList;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class UnikernelStatus {
  @JsonPropertyDescription("The metadata.generation this status was computed for.")
  public Long observedGeneration;

  @JsonPropertyDescription(
      "kstatus conditions: Ready, Reconciling, Stalled (abnormal-true), Available, and domain"
          + " conditions such as RolledBack and ScalingLimited.")
  public List<Condition> conditions = new ArrayList<>();

  @JsonPropertyDescription("The revision serving now.")
  public String currentRevision;

  @JsonPropertyDescription("The revision the fleet is moving to (equals currentRevision when not rolling).")
  public String updateRevision;

  @JsonPropertyDescription("The most recent revision that served healthily.")
  public String lastGoodRevision;

  @JsonPropertyDescription("A revision rolled back automatically; not tried again until the spec changes.")
  public String failedRevision;

  @JsonPropertyDescription("The revision served before updateRevision was promoted (kept warm for rollback for a while).")
  public String previousRevision;

  @JsonPropertyDescription("When the fleet started moving to updateRevision (RFC 3339).")
  public String rolloutStartTime;

  @JsonPropertyDescription("When updateRevision completed its rollout (RFC 3339); empty while rolling.")
  public String promotedTime;

  @JsonPropertyDescription("Instances that exist, of any revision and state (the previous revision's, kept warm after a promotion, included).")
  public Integer replicas;

  @JsonPropertyDescription("Instances passing their health checks that receive traffic (not those of the previous revision kept warm after a promotion).")
  public Integer readyReplicas;

  @JsonPropertyDescription("Instances running updateRevision.")
  public Integer updatedReplicas;

  @JsonPropertyDescription("Instances the fleet should have now.")
  public Integer desiredReplicas;

  @JsonPropertyDescription("When the autoscaler last changed desiredReplicas (RFC 3339).")
  public String lastScaleTime;

  @JsonPropertyDescription("Why desiredReplicas last changed: what the autoscaler observed and which rule decided.")
  public String lastScaleReason;

  @JsonPropertyDescription("readyReplicas/desiredReplicas, for kubectl get.")
  public String replicasSummary;

  @JsonPropertyDescription("host:port of the fleet's load-balanced endpoint.")
  public String endpoint;

  @JsonPropertyDescription("Instances failing their health checks (or exited) now.")
  public Integer unhealthyReplicas;

  @JsonPropertyDescription("Instances replaced by health repairs over the fleet's life.")
  public Long restarts;

  @JsonPropertyDescription("Up to 10 unhealthy instances with the reason, for a first look without logs.")
  public List<UnhealthyInstance> unhealthyInstances;

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class UnhealthyInstance {
    @JsonPropertyDescription("Instance id (provider-specific).")
    public String name;

    @JsonPropertyDescription("Revision it runs.")
    public String revision;

    @JsonPropertyDescription("Why it is unhealthy: the last probe failure, a missed startup deadline, an exit.")
    public String reason;
  }
}
