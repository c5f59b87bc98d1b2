package io.dustcloud.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.ArrayList;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "has(self.image) != has(self.build)",
    message = "exactly one of spec.image or spec.build must be set")
public class UnikernelSpec {
  public static final String DELETE = "Delete";
  public static final String ORPHAN = "Orphan";

  @JsonPropertyDescription("A prebuilt artifact to run. Exactly one of image or build is set.")
  public ImageSource image;

  @JsonPropertyDescription("How to build the artifact from source. Exactly one of image or build is set.")
  public BuildSpec build;

  @JsonPropertyDescription(
      "Arguments passed to the unikernel at boot. For the local process runtime the token"
          + " {port} is replaced by the instance's allocated port.")
  @Size(max = 64)
  public List<@Size(max = 1024) String> bootArgs = new ArrayList<>();

  @JsonPropertyDescription("TCP port the unikernel serves on.")
  @Min(1)
  @Max(65535)
  @Default("8080")
  public Integer port = 8080;

  @JsonPropertyDescription("Where instances run: exactly one of gce or local.")
  @Required
  public ProviderSpec provider;

  @JsonPropertyDescription("How many instances run.")
  public ScalingSpec scaling = new ScalingSpec();

  @JsonPropertyDescription("How instances are health-checked; only instances that pass count as ready.")
  public HealthCheckSpec healthCheck = new HealthCheckSpec();

  @JsonPropertyDescription(
      "What happens to the fleet's instances and cloud resources when the Unikernel is"
          + " deleted: Delete removes them, Orphan leaves them running.")
  @Default("Delete")
  public DeletionPolicy deletionPolicy = DeletionPolicy.Delete;

  @JsonPropertyDescription("How the fleet rolls between revisions.")
  public RolloutSpec rollout = new RolloutSpec();

  @JsonPropertyDescription(
      "Serve exactly this retained revision (a manual rollback: kubectl get ukrev lists them)."
          + " Remove it to return to the revision of the current spec.")
  @io.fabric8.generator.annotation.Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
  @io.fabric8.generator.annotation.Size(max = 63)
  public String revision;

  @JsonPropertyDescription("How many old, unused revisions are retained for rollback.")
  @Min(0)
  @Max(100)
  @Default("10")
  public Integer revisionHistoryLimit = 10;

  public enum DeletionPolicy {
    Delete,
    Orphan
  }
}
