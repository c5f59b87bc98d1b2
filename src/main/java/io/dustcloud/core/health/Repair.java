package io.dustcloud.core.health;

/** Replace instance {@code instanceId} of {@code revision}, because {@code reason}. */
public record Repair(String instanceId, String revision, String reason) {}
