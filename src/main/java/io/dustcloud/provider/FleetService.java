package io.dustcloud.provider;

import java.util.Objects;

/**
 * How a fleet is served, as a whole rather than per revision: its port, the health check its
 * endpoint (a load balancer) uses, and the fleet's current provider settings (GCE: the load
 * balancer). Fleet-level settings change without a new revision, so they travel with the
 * desired fleet, not with its revisions' images.
 *
 * @param port the port instances serve
 * @param metricsPort the port the operator scrapes metrics on when it is not {@code port}; null otherwise
 * @param check the health check, as the operator's probes use it
 * @param settings the fleet's provider settings from its current spec; null when unknown (a
 *     provider then uses its newest revision's)
 */
public record FleetService(int port, Integer metricsPort, Check check, ProviderSettings settings) {

  /**
   * A health check. {@code httpPath} null means TCP (a connection accepted is healthy).
   *
   * @param intervalSeconds seconds between checks of a ready instance
   * @param timeoutSeconds seconds a check may take
   * @param healthyThreshold consecutive passes that make an instance healthy
   * @param unhealthyThreshold consecutive failures that make it unhealthy
   * @param startupDeadlineSeconds how long a new instance may take to pass its first check
   */
  public record Check(String httpPath, int intervalSeconds, int timeoutSeconds, int healthyThreshold,
      int unhealthyThreshold, int startupDeadlineSeconds) {
    /** The operator's defaults: GET /health every 30 s, 1 s timeout, 1 pass, 3 failures, 300 s to start. */
    public static final Check DEFAULT = new Check("/health", 30, 1, 1, 3, 300);

    public boolean http() {
      return httpPath != null;
    }
  }

  /** A fleet served on {@link RevisionImage#DEFAULT_PORT} with the default check and no settings of its own. */
  public static final FleetService DEFAULT = new FleetService(RevisionImage.DEFAULT_PORT, null, Check.DEFAULT, null);

  public FleetService {
    Objects.requireNonNull(check, "check");
  }
}
