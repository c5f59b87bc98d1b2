package io.dustcloud.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Required;

/** Build inputs. The same inputs always produce, and reuse, the same artifact. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class BuildSpec {
  @JsonPropertyDescription("Source on the operator's host, built with make by the local builder (local provider only).")
  @Required
  public LocalSource source;

  @JsonPropertyDescription("The unikernel target to build for.")
  @Default("unix")
  public ArtifactFormat target = ArtifactFormat.unix;

  /** A source tree on the operator's own host. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class LocalSource {
    @JsonPropertyDescription(
        "Directory with a Makefile whose default target produces the artifact; a relative path"
            + " is resolved against the operator's working directory (dev mode: where it was started).")
    @Required
    @io.fabric8.generator.annotation.Size(min = 1, max = 4096)
    public String path;

    @JsonPropertyDescription("Path of the built artifact, relative to path.")
    @Required
    @io.fabric8.generator.annotation.Pattern("^[^/].*")
    @io.fabric8.generator.annotation.Size(min = 1, max = 1024)
    public String artifact;
  }
}
