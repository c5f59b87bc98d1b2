package io.dustcloud.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;

/** A status condition, shaped like Kubernetes' metav1.Condition (read by kstatus, Flux, Argo CD). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Condition {
  @JsonPropertyDescription("Condition type, e.g. Ready, Reconciling, Stalled, Available.")
  @Required
  public String type;

  @JsonPropertyDescription("True, False or Unknown.")
  @Required
  public String status;

  @JsonPropertyDescription("CamelCase reason for the last transition.")
  public String reason;

  @JsonPropertyDescription("Human-readable details.")
  public String message;

  @JsonPropertyDescription("When status last changed (RFC 3339).")
  public String lastTransitionTime;

  @JsonPropertyDescription("metadata.generation the condition was computed for.")
  public Long observedGeneration;

  public Condition() {}

  public Condition(String type, String status, String reason, String message) {
    this.type = type;
    this.status = status;
    this.reason = reason;
    this.message = message;
  }
}
