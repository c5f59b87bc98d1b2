package io.dustcloud.provider;

import java.time.Instant;

/**
 * One instance as the provider sees it.
 *
 * @param id provider-unique instance id, stable for the instance's life
 * @param revision the revision it runs
 * @param address {@code host:port} where its port is reachable from the operator
 * @param state lifecycle state
 * @param createdAt when it was created
 */
public record InstanceView(
    String id, String revision, String address, InstanceState state, Instant createdAt) {}
