package io.dustcloud.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * Build inputs. The same inputs always produce, and reuse, the same artifact: they are hashed
 * into a build key (docs/builds.md) that names the artifact and is built at most once.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "has(self.source) != has(self.git)",
    message = "exactly one of spec.build.source or spec.build.git must be set")
@ValidationRule(
    value = "!has(self.git) || has(self.lockFile)",
    message = "spec.build.lockFile is required with spec.build.git: unpinned dependencies make builds irreproducible")
@ValidationRule(
    value = "!has(self.git) || has(self.builderImage)",
    message = "spec.build.builderImage is required with spec.build.git")
@ValidationRule(
    value = "!has(self.git) || has(self.outputBucket)",
    message = "spec.build.outputBucket is required with spec.build.git")
public class BuildSpec {
  /** A builder image reference pinned by digest: a tag can move, a digest cannot. */
  public static final String PINNED_IMAGE = "^[^\\s@]+@sha256:[a-f0-9]{64}$";
  /** A full Git commit SHA: branch and tag names move, so they are refused. */
  public static final String COMMIT = "^[a-f0-9]{40}$";
  /** A relative path whose segments do not start with a dot (no '..', no leading '/'). */
  public static final String RELATIVE_PATH = "^[A-Za-z0-9_][-A-Za-z0-9_.]*(/[A-Za-z0-9_][-A-Za-z0-9_.]*)*$";
  public static final String BUCKET = "^gs://[a-z0-9][-_.a-z0-9]{1,220}[a-z0-9](/[-_.A-Za-z0-9/]*)?$";
  public static final String QUANTITY = "^[0-9]+(\\.[0-9]+)?(m|k|Ki|M|Mi|G|Gi|T|Ti)?$";
  public static final String SERVICE_ACCOUNT = "^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$";

  @JsonPropertyDescription(
      "Source on the operator's host, built with make by the local builder (local provider"
          + " only). Exactly one of source or git is set.")
  public LocalSource source;

  @JsonPropertyDescription(
      "A Git commit, built in the cluster by a Kubernetes Job running builderImage (gce"
          + " provider). Exactly one of source or git is set.")
  public GitSource git;

  @JsonPropertyDescription("The unikernel target to build for: virtio (GCE), hvt, spt or unix.")
  @Default("unix")
  public ArtifactFormat target = ArtifactFormat.unix;

  @JsonPropertyDescription(
      "The builder image, pinned by digest (registry/image@sha256:<64 hex>); a tag is refused"
          + " because it can move. Required with git. See docs/builds.md for its contract.")
  @Pattern(PINNED_IMAGE)
  @Size(max = 1024)
  public String builderImage;

  @JsonPropertyDescription(
      "Path of the dependency lock file inside the source (e.g. mirage/hello-virtio.opam.locked"
          + " from opam-monorepo). Required with git: unpinned dependencies made builds"
          + " irreproducible. Optional for local source, whose whole tree is hashed anyway.")
  @Pattern(RELATIVE_PATH)
  @Size(max = 1024)
  public String lockFile;

  @JsonPropertyDescription(
      "Where in-cluster builds upload the artifact: gs://bucket[/prefix]; the object is"
          + " <outputBucket>/<build key>.tar.gz. Required with git.")
  @Pattern(BUCKET)
  @Size(max = 1024)
  public String outputBucket;

  @JsonPropertyDescription(
      "Kubernetes ServiceAccount the build Job runs as (e.g. bound to a Google service account"
          + " by Workload Identity, allowed to write outputBucket). Default: the namespace's"
          + " default ServiceAccount.")
  @Pattern(SERVICE_ACCOUNT)
  @Size(max = 253)
  public String serviceAccount;

  @JsonPropertyDescription("CPU and memory of the build container (requests equal limits).")
  public BuildResources resources;

  @JsonPropertyDescription(
      "How long a build may run before it is stopped and reported as BuildTimedOut"
          + " (the Job's activeDeadlineSeconds). Default 1800.")
  @Min(60)
  @Max(86400)
  public Integer deadlineSeconds;

  /** A source tree on the operator's own host. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class LocalSource {
    @JsonPropertyDescription(
        "Directory with a Makefile whose default target produces the artifact; a relative path"
            + " is resolved against the operator's working directory (dev mode: where it was started).")
    @Required
    @Size(min = 1, max = 4096)
    public String path;

    @JsonPropertyDescription("Path of the built artifact, relative to path.")
    @Required
    @Pattern("^[^/].*")
    @Size(min = 1, max = 1024)
    public String artifact;
  }

  /** A Git commit: immutable, unlike a branch or a tag. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class GitSource {
    @JsonPropertyDescription("Repository URL the build Job clones (https:// or ssh://).")
    @Required
    @Pattern("^(https|ssh)://[^\\s]+$")
    @Size(max = 2048)
    public String url;

    @JsonPropertyDescription(
        "Full 40-character commit SHA (lowercase hex). Branch and tag names are refused: they move.")
    @Required
    @Pattern(COMMIT)
    public String commit;
  }

  /**
   * Build container resources; requests equal limits so builds are not throttled unpredictably.
   * No schema defaults on purpose: a default would enter every existing revision's hash and
   * roll out unchanged fleets after an upgrade; the Job model applies them instead.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class BuildResources {
    @JsonPropertyDescription("CPU, as a Kubernetes quantity (2, 500m). Default 2.")
    @Pattern(QUANTITY)
    public String cpu;

    @JsonPropertyDescription("Memory, as a Kubernetes quantity (4Gi). Default 4Gi.")
    @Pattern(QUANTITY)
    public String memory;
  }
}
