package io.dustcloud.core.rollout;

/** Instances of one revision: how many exist and how many pass their health checks. */
public record RevisionCounts(int running, int ready) {
  public RevisionCounts {
    if (ready > running || ready < 0) {
      throw new IllegalArgumentException("ready " + ready + " of " + running);
    }
  }
}
