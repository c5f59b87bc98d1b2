package io.dustcloud.provider;

/**
 * Why the backend could not create an instance it wants (GCE: a managed instance's {@code
 * lastAttempt.errors}): out of quota, out of capacity in the zone, a missing permission. Such an
 * instance does not exist yet and is not reported as one — it is not "booting" and must never be
 * taken for a hung boot; the backend keeps trying to create it.
 *
 * @param code the backend's own code, e.g. {@code QUOTA_EXCEEDED}, {@code ZONE_RESOURCE_POOL_EXHAUSTED}
 * @param instance the name of the instance being created
 * @param message the backend's own message
 */
public record CreationProblem(String code, String instance, String message) {}
