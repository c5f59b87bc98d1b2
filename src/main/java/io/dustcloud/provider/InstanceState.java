package io.dustcloud.provider;

/** Lifecycle of one instance as the provider sees it (health is the supervisor's view). */
public enum InstanceState {
  /** Created, not yet running (process spawning, VM provisioning). */
  STARTING,
  /** Running as far as the provider can tell. */
  RUNNING,
  /** Being stopped or deleted. */
  STOPPING,
  /** Exited or failed; kept until the supervisor's repair loop replaces it. */
  FAILED
}
