package io.dustcloud.core.build;

import java.util.List;
import java.util.Objects;

/**
 * Everything that decides what a build produces, as plain values. Two builds with equal inputs
 * must produce the same artifact; anything that can change the artifact belongs here, and
 * nothing else does (scaling, health checks, names, resources and deadlines do not change
 * the bytes, so they are deliberately absent).
 *
 * @param kind {@code git} (in-cluster) or {@code local} (the operator's host); different
 *     builders, so never the same key
 * @param source the Git URL, or the absolute source directory for local builds
 * @param revision the full commit SHA, or the content hash of the local source tree
 * @param target the unikernel target (virtio, hvt, spt, unix)
 * @param builder the builder image pinned by digest; {@code make} for local builds
 * @param lockFile the dependency lock file path inside the source; empty when none
 * @param artifact the artifact path inside the source (local builds); empty for Git builds
 * @param bakedBootArgs boot arguments written into the image (GCE disk images carry their
 *     command line); empty when arguments are passed at start
 * @param output where the artifact is uploaded (the bucket prefix); empty for the local store
 */
public record BuildInputs(
    String kind,
    String source,
    String revision,
    String target,
    String builder,
    String lockFile,
    String artifact,
    List<String> bakedBootArgs,
    String output) {

  public BuildInputs {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(revision, "revision");
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(builder, "builder");
    lockFile = lockFile == null ? "" : lockFile;
    artifact = artifact == null ? "" : artifact;
    bakedBootArgs = bakedBootArgs == null ? List.of() : List.copyOf(bakedBootArgs);
    output = output == null ? "" : output;
  }
}
