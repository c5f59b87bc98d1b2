package io.dustcloud.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.IntOrString;

/** How the fleet moves between revisions. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RolloutSpec {
  @JsonPropertyDescription("Instances allowed above the desired count during a rollout: a count (1) or a share (25%, rounded up).")
  @ValidationRule(
      value = "type(self) == int ? self >= 0 : self.matches('^[0-9]{1,3}%$')",
      message = "rollout.maxSurge must be a count of at least 0 or a percentage such as 25%")
  public IntOrString maxSurge;

  @JsonPropertyDescription("Ready instances allowed below the desired count during a rollout: a count (0) or a share (10%, rounded down).")
  @ValidationRule(
      value = "type(self) == int ? self >= 0 : self.matches('^[0-9]{1,3}%$')",
      message = "rollout.maxUnavailable must be a count of at least 0 or a percentage such as 10%")
  public IntOrString maxUnavailable;

  @JsonPropertyDescription(
      "Seconds a new revision may take to have every instance ready; past that it is rolled back"
          + " to the last good revision (when autoRollback is on).")
  @Min(1)
  @Max(86400)
  @Default("600")
  public Integer progressDeadlineSeconds = 600;

  @JsonPropertyDescription(
      "Seconds after promotion during which a new revision must stay healthy; an unhealthy instance"
          + " inside this window rolls back. After it the revision becomes lastGoodRevision.")
  @Min(0)
  @Max(86400)
  @Default("30")
  public Integer verificationSeconds = 30;

  @JsonPropertyDescription(
      "Seconds after promotion the previous revision's instances are kept running (without"
          + " traffic), so that a rollback inside that window is instant.")
  @Min(0)
  @Max(86400)
  @Default("30")
  public Integer keepPreviousSeconds = 30;

  @JsonPropertyDescription(
      "Roll back automatically on a missed progress deadline or a failed verification. The spec is"
          + " never edited: status says RolledBack=True and the failed revision is not tried again"
          + " until the spec changes.")
  @Default("true")
  public Boolean autoRollback = true;
}
