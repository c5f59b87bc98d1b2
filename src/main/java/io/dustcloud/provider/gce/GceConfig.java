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
 * @param backoff retries of transient failures
 * @param operatorRanges the address ranges (CIDR) the operator's probes and scrapes come from
 *     (in GKE, the cluster's Pod range); each fleet's firewall admits them to its serving and
 *     metrics ports. Empty: no such rule (the network must already admit the operator)
 * @param storageEndpoint the Cloud Storage JSON API, where artifacts' digests are checked
 */
public record GceConfig(
    boolean enabled,
    String endpoint,
    CredentialsProvider credentials,
    int callsPerMinute,
    Duration observeInterval,
    Backoff backoff,
    java.util.List<String> operatorRanges,
    String storageEndpoint) {

  public static final int DEFAULT_CALLS_PER_MINUTE = 1200;
  public static final Duration DEFAULT_OBSERVE_INTERVAL = Duration.ofSeconds(10);
  public static final String DEFAULT_STORAGE_ENDPOINT = "https://storage.googleapis.com";

  public GceConfig {
    operatorRanges = operatorRanges == null ? java.util.List.of() : java.util.List.copyOf(operatorRanges);
    storageEndpoint = storageEndpoint == null || storageEndpoint.isBlank() ? DEFAULT_STORAGE_ENDPOINT : storageEndpoint;
  }

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
        Backoff.DEFAULT,
        ranges(env.getOrDefault("DUSTCLOUD_GCE_OPERATOR_RANGES", "")),
        env.getOrDefault("DUSTCLOUD_GCS_ENDPOINT", DEFAULT_STORAGE_ENDPOINT));
  }

  /** A provider against {@code endpoint} without credentials (tests, emulators). */
  public static GceConfig anonymous(String endpoint, int callsPerMinute) {
    return new GceConfig(true, endpoint, NoCredentialsProvider.create(), callsPerMinute, DEFAULT_OBSERVE_INTERVAL,
        Backoff.DEFAULT, java.util.List.of(), null);
  }

  public GceConfig withObserveInterval(Duration interval) {
    return new GceConfig(enabled, endpoint, credentials, callsPerMinute, interval, backoff, operatorRanges, storageEndpoint);
  }

  public GceConfig withBackoff(Backoff b) {
    return new GceConfig(enabled, endpoint, credentials, callsPerMinute, observeInterval, b, operatorRanges, storageEndpoint);
  }

  public GceConfig withOperatorRanges(java.util.List<String> ranges) {
    return new GceConfig(enabled, endpoint, credentials, callsPerMinute, observeInterval, backoff, ranges, storageEndpoint);
  }

  public GceConfig withStorageEndpoint(String endpoint) {
    return new GceConfig(enabled, endpoint(), credentials, callsPerMinute, observeInterval, backoff, operatorRanges,
        endpoint);
  }

  /** A comma-separated list of IPv4 CIDRs; anything else is refused at start, naming the entry. */
  static java.util.List<String> ranges(String text) {
    java.util.List<String> out = new java.util.ArrayList<>();
    for (String r : text.split(",")) {
      String t = r.trim();
      if (t.isEmpty()) {
        continue;
      }
      if (!t.matches("^([0-9]{1,3}[.]){3}[0-9]{1,3}/([0-9]|[12][0-9]|3[0-2])$")) {
        throw new IllegalArgumentException("DUSTCLOUD_GCE_OPERATOR_RANGES: '" + t + "' is not an IPv4 CIDR such as 10.8.0.0/14");
      }
      out.add(t);
    }
    return out;
  }
}
