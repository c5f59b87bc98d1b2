package io.dustcloud.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** A prebuilt, content-addressed artifact. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ImageSource {
  @JsonPropertyDescription(
      "Where the artifact is: gs://bucket/object.tar.gz or https://… for GCE, file:///path or"
          + " an absolute path for the local provider.")
  @Required
  @Size(min = 1, max = 2048)
  public String url;

  @JsonPropertyDescription("SHA-256 of the artifact, 64 lowercase hex characters; the artifact is refused when it does not match.")
  @Required
  @Pattern("^[a-f0-9]{64}$")
  public String sha256;

  @JsonPropertyDescription(
      "Artifact format: unix (a host executable), virtio (a disk image or kernel for a"
          + " virtio VM), hvt or spt (Solo5 tenders).")
  @Default("unix")
  public ArtifactFormat format = ArtifactFormat.unix;
}
