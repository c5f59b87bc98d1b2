package io.dustcloud.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.ArrayList;
import java.util.List;

/** The frozen, revision-relevant part of a Unikernel spec. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "self == oldSelf", message = "UnikernelRevision spec is immutable")
public class UnikernelRevisionSpec {
  @JsonPropertyDescription("Name of the owning Unikernel.")
  @Required
  public String unikernel;

  @JsonPropertyDescription("Content hash of the revision-relevant spec; the revision name ends with it.")
  @Required
  public String hash;

  @JsonPropertyDescription("The prebuilt artifact, when the Unikernel names one.")
  public ImageSource image;

  @JsonPropertyDescription("The build inputs, when the Unikernel is built from source.")
  public BuildSpec build;

  @JsonPropertyDescription("Boot arguments.")
  public List<String> bootArgs = new ArrayList<>();

  @JsonPropertyDescription("Port the unikernel serves on.")
  public Integer port;

  @JsonPropertyDescription("The provider and machine shape.")
  public ProviderSpec provider;
}
