package io.dustcloud.provider;

import io.dustcloud.core.revision.BootArgs;
import java.util.List;
import java.util.Objects;

/**
 * Everything a provider needs to start an instance of one revision: the resolved artifact
 * and how to boot it. Immutable, like the revision it comes from.
 *
 * @param revision the {@code UnikernelRevision} name
 * @param format artifact format: {@code unix}, {@code virtio}, {@code hvt}, {@code spt}
 * @param artifact where the artifact is: a local file path for the local provider, a
 *     {@code gs://} URL for GCE
 * @param sha256 the artifact's digest (64 lowercase hex characters)
 * @param bootArgs arguments passed to the unikernel
 * @param port the port the unikernel listens on
 * @param settings provider-specific settings of the revision (runtime, machine shape), of the
 *     type of the provider that runs it; never null (providers have a default instance)
 */
public record RevisionImage(
    String revision,
    String format,
    String artifact,
    String sha256,
    List<String> bootArgs,
    int port,
    ProviderSettings settings) {
  /** The port a unikernel listens on when its spec names none. */
  public static final int DEFAULT_PORT = 8080;

  public RevisionImage {
    Objects.requireNonNull(revision, "revision");
    Objects.requireNonNull(format, "format");
    Objects.requireNonNull(artifact, "artifact");
    bootArgs = BootArgs.of(bootArgs);
    Objects.requireNonNull(settings, "settings");
  }
}
