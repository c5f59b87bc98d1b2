package io.dustcloud.provider.local;

import io.dustcloud.provider.RevisionImage;
import io.dustcloud.provider.Unsupported;

/**
 * One way of running instances: {@code process}, {@code qemu} or {@code solo5}. Every runtime
 * runs each instance as one host process that the provider owns (records by pid, start time and
 * mark, adopts after a restart, stops by signal), so they differ only in how they start it,
 * how they tell that the guest answers, and what they clean up afterwards.
 */
interface InstanceRuntime {

  String name();

  /** Why {@code image} cannot boot on this runtime on this host, or null. */
  String unsupportedReason(RevisionImage image);

  /** {@link #unsupportedReason} with the reason to stall with (see {@link Unsupported}). */
  default Unsupported unsupported(RevisionImage image) {
    return Unsupported.of(unsupportedReason(image));
  }

  /** Starts one instance reachable on loopback {@code port}. */
  ProcessRuntime.Started start(String instanceId, RevisionImage image, int port);

  /** Whether the instance behind loopback {@code port} answers; must not block for long. */
  boolean answers(int port);

  /** Releases what the instance used besides its process, once that process is gone. */
  default void cleanUp(String instanceId) {}
}
