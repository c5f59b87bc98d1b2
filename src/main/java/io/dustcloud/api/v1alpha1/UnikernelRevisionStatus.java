package io.dustcloud.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.ArrayList;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class UnikernelRevisionStatus {
  @JsonPropertyDescription("The metadata.generation this status was computed for.")
  public Long observedGeneration;

  @JsonPropertyDescription("Conditions: Built (artifact resolved), Ready.")
  public List<Condition> conditions = new ArrayList<>();

  @JsonPropertyDescription("What the revision resolved to.")
  public Artifact artifact;

  @JsonPropertyDescription(
      "Build key of the artifact (docs/builds.md): a hash of every build input. Revisions with"
          + " the same key run the same artifact, built once.")
  public String buildKey;

  @JsonPropertyDescription("When an instance of this revision first passed its health check.")
  public String firstHealthyTime;

  @JsonPropertyDescription("When this revision last stopped serving (another revision was promoted).")
  public String lastServedTime;

  @JsonPropertyDescription("Median boot latency of this revision's recent instances in milliseconds: from instance start to its first passing health probe (resolution: the supervisor's tick).")
  public Long bootMedianMillis;

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Artifact {
    @JsonPropertyDescription("Where the resolved artifact is stored.")
    public String url;

    @JsonPropertyDescription("SHA-256 of the artifact.")
    public String sha256;

    @JsonPropertyDescription("Artifact format.")
    public ArtifactFormat format;
  }
}
