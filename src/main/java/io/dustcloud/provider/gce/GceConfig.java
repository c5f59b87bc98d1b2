package io.dustcloud.provider.gce;

import com.google.api.gax.core.CredentialsProvider;
import com.google.api.gax.core.NoCredentialsProvider;
import java.time.Duration;
import java.util.Map;

/**
 * Settings of the GCE provider.
 *
 * @param enabled whether {@code dustcloud run} registers the provider
 * @param endpoint Compute endpoint ({@code http://127.0.0.1:PORT} for a fake or another cloud's
 *     GCE-compatible API); null for Google's
 * @param credentials null for Application Default Credentials (Workload Identity in GKE)
 * @param callsPerMinute the per-project budget of Compute calls, shared fairly by all fleets
 * @param observeInterval how long an observation is reused before {@code listManagedInstances}
 *     is called again (the supervisor observes every second)
 * @param addresses how the operator reaches an instance
 * @param backoff retries of transient failures
 */
public record GceConfig(
    boolean enabled,
    String endpoint,
    CredentialsProvider credentials,
    int callsPerMinute,
    Duration observeInterval,
    InstanceAddresses addresses,
    Backoff backoff) {

  public static final int DEFAULT_CALLS_PER_MINUTE = 1200;
  public static final Duration DEFAULT_OBSERVE_INTERVAL = Duration.ofSeconds(10);

  /** {@code DUSTCLOUD_GCE_*} variables; see docs/configuration.md. */
  public static GceConfig fromEnv(Map<String, String> env) {
    String endpoint = env.getOrDefault("DUSTCLOUD_GCE_ENDPOINT", "").trim();
    boolean anonymous = Boolean.parseBoolean(env.getOrDefault("DUSTCLOUD_GCE_NO_CREDENTIALS", "false"));
    return new GceConfig(
        Boolean.parseBoolean(env.getOrDefault("DUSTCLOUD_GCE_ENABLED", "false")),
        endpoint.isEmpty() ? null : endpoint,
        anonymous ? NoCredentialsProvider.create() : null,
        Integer.parseInt(env.getOrDefault("DUSTCLOUD_GCE_CALLS_PER_MINUTE", Integer.toString(DEFAULT_CALLS_PER_MINUTE))),
        Duration.ofSeconds(Long.parseLong(env.getOrDefault("DUSTCLOUD_GCE_OBSERVE_SECONDS",
            Long.toString(DEFAULT_OBSERVE_INTERVAL.toSeconds())))),
        new InstanceAddresses(env.getOrDefault("DUSTCLOUD_GCE_ADDRESS_TEMPLATE", InstanceAddresses.INTERNAL_DNS)),
        Backoff.DEFAULT);
  }

  /** A provider against {@code endpoint} without credentials (tests, emulators). */
  public static GceConfig anonymous(String endpoint, int callsPerMinute, InstanceAddresses addresses) {
    return new GceConfig(true, endpoint, NoCredentialsProvider.create(), callsPerMinute, DEFAULT_OBSERVE_INTERVAL,
        addresses, Backoff.DEFAULT);
  }

  public GceConfig withObserveInterval(Duration interval) {
    return new GceConfig(enabled, endpoint, credentials, callsPerMinute, interval, addresses, backoff);
  }

  public GceConfig withBackoff(Backoff b) {
    return new GceConfig(enabled, endpoint, credentials, callsPerMinute, observeInterval, addresses, b);
  }
}
