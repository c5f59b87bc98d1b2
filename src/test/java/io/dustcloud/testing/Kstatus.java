package io.dustcloud.testing;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * kstatus's reading of a custom resource (sigs.k8s.io/cli-utils/pkg/kstatus/status.Compute, the
 * generic rules, which is all it applies to a kind it does not know): what Flux, kpt, Config Sync
 * and `kubectl` plugins built on it say about a Unikernel. In kstatus's order: a deletion
 * timestamp means Terminating; an unobserved generation InProgress; then Reconciling=True means
 * InProgress (checked before Stalled, so both True reads InProgress, not Failed); Stalled=True
 * Failed; anything else Current.
 */
public final class Kstatus {
  public enum Status { InProgress, Failed, Current, Terminating }

  private Kstatus() {}

  public static Status compute(JsonNode object) {
    JsonNode metadata = object.path("metadata");
    if (metadata.hasNonNull("deletionTimestamp")) {
      return Status.Terminating;
    }
    JsonNode status = object.path("status");
    if (status.hasNonNull("observedGeneration")
        && status.get("observedGeneration").asLong() != metadata.path("generation").asLong()) {
      return Status.InProgress;
    }
    if (isTrue(status, "Reconciling")) {
      return Status.InProgress;
    }
    if (isTrue(status, "Stalled")) {
      return Status.Failed;
    }
    return Status.Current;
  }

  /**
   * What {@code kubectl wait --for=condition=<type>} waits for: the condition True, and not
   * observed for an older generation (the condition's observedGeneration, else the status').
   */
  public static boolean waitMet(JsonNode object, String type) {
    JsonNode status = object.path("status");
    for (JsonNode c : status.path("conditions")) {
      if (type.equals(c.path("type").asText())) {
        JsonNode observed = c.hasNonNull("observedGeneration") ? c.get("observedGeneration")
            : status.path("observedGeneration");
        JsonNode generation = object.path("metadata").path("generation");
        boolean stale = observed.isNumber() && generation.isNumber() && observed.asLong() < generation.asLong();
        return "True".equals(c.path("status").asText()) && !stale;
      }
    }
    return false;
  }

  public static boolean isTrue(JsonNode status, String type) {
    for (JsonNode c : status.path("conditions")) {
      if (type.equals(c.path("type").asText()) && "True".equals(c.path("status").asText())) {
        return true;
      }
    }
    return false;
  }
}
