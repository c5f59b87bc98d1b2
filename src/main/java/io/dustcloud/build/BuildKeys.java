package io.dustcloud.build;

import io.dustcloud.core.revision.BootArgs;
import io.dustcloud.api.v1alpha1.BuildSpec;
import io.dustcloud.api.v1alpha1.UnikernelRevisionSpec;
import io.dustcloud.core.build.BuildInputs;
import io.dustcloud.core.build.BuildKey;
import java.util.List;

/**
 * Maps a revision's build spec to the plain {@link BuildInputs} the key is computed from. This
 * is where "which spec fields are build inputs" is decided; everything else in the revision
 * (port, provider, machine shape, the Unikernel's name) stays out of the key, so two fleets
 * built from the same inputs share one artifact.
 */
public final class BuildKeys {
  /** The builder of local source: whatever make and compiler the operator's host has. */
  static final String LOCAL_BUILDER = "make";

  private BuildKeys() {}

  /**
   * Inputs of an in-cluster Git build. Boot arguments are baked in: solo5-virtio-mkimage writes
   * the command line into the disk image, and GCE has no way to pass one at boot.
   */
  public static BuildInputs inCluster(UnikernelRevisionSpec spec) {
    BuildSpec b = spec.build;
    return new BuildInputs("git", b.git.url, b.git.commit, target(b), b.builderImage, b.lockFile, "",
        BootArgs.of(spec.bootArgs), b.outputBucket);
  }

  /**
   * Inputs of a local build: the source directory and its content hash (editing a file changes
   * the key). Boot arguments are not baked: local runtimes pass them when an instance starts.
   */
  public static BuildInputs local(BuildSpec b, String absoluteSource, String treeHash) {
    return new BuildInputs("local", absoluteSource, treeHash, target(b), LOCAL_BUILDER, b.lockFile,
        b.source.artifact, List.of(), "");
  }

  private static String target(BuildSpec b) {
    return b.target == null ? "unix" : b.target.name();
  }

  public static String key(BuildInputs inputs) {
    return BuildKey.of(inputs);
  }
}
