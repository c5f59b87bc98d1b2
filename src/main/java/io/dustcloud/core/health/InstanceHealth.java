package io.dustcloud.core.health;

import java.time.Instant;

/**
 * What the repair planner knows of one instance.
 *
 * @param exited the provider reports it gone (process exited, VM stopped)
 */
public record InstanceHealth(
    String id, String revision, Instant createdAt, boolean exited, Readiness readiness) {}
