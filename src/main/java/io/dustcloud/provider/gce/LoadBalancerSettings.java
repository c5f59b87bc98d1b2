package io.dustcloud.provider.gce;

import java.util.List;

/**
 * A fleet's {@code provider.gce.loadBalancer} as the provider reads it. Defaults live here:
 * an unset value is an external load balancer on the fleet's port, admitting every client
 * (external) or the RFC 1918 ranges (internal), draining for {@value #DEFAULT_DRAINING_SECONDS} s.
 *
 * @param type EXTERNAL, INTERNAL or NONE
 * @param port the port served; null for the fleet's port
 * @param sourceRanges client ranges admitted to the serving port
 * @param drainingSeconds connection draining of leaving instances
 */
public record LoadBalancerSettings(Type type, Integer port, List<String> sourceRanges, int drainingSeconds) {
  public static final int DEFAULT_DRAINING_SECONDS = 30;
  static final List<String> PRIVATE_RANGES = List.of("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16");
  static final List<String> EVERYONE = List.of("0.0.0.0/0");
  public static final LoadBalancerSettings DEFAULT = new LoadBalancerSettings(Type.EXTERNAL, null, null, DEFAULT_DRAINING_SECONDS);
  public static final LoadBalancerSettings NONE = new LoadBalancerSettings(Type.NONE, null, null, DEFAULT_DRAINING_SECONDS);

  /** The load balancing scheme, as GCE names it on backend services, addresses and forwarding rules. */
  public enum Type {
    EXTERNAL,
    INTERNAL,
    NONE
  }

  public LoadBalancerSettings {
    type = type == null ? Type.EXTERNAL : type;
    sourceRanges = sourceRanges == null || sourceRanges.isEmpty()
        ? (type == Type.INTERNAL ? PRIVATE_RANGES : EVERYONE) : List.copyOf(sourceRanges);
  }

  public boolean enabled() {
    return type != Type.NONE;
  }

  /** The served port: the setting, else the fleet's. */
  public int port(int fleetPort) {
    return port == null ? fleetPort : port;
  }
}
