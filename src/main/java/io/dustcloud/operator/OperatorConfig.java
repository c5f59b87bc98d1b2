package io.dustcloud.operator;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Operator settings. Read from environment variables in a cluster (see the Helm chart), set
 * directly by dev mode and tests.
 *
 * @param stateDir where the local provider keeps instance state, logs and artifacts
 * @param httpPort port of /healthz, /readyz and /metrics (0 picks a free port)
 * @param watchNamespaces namespaces to watch; empty means all
 * @param leaderElection whether to elect a leader (replicas > 1)
 * @param leaseNamespace namespace of the leader-election Lease
 * @param localProvider whether the local provider is enabled
 * @param tick the supervisor loop period
 * @param buildTimeout how long a local build may take
 * @param httpAddress the address /healthz, /readyz and /metrics listen on: all interfaces in a
 *     cluster (the kubelet probes the Pod's IP), loopback in dev mode (a laptop's operator is
 *     nobody else's business)
 * @param trustedRoots the only directories the local provider reads artifact files and build
 *     sources from (real paths, symlinks followed, are checked). Dev mode: its working directory,
 *     its state directory and each {@code --trust DIR}; a cluster: {@code DUSTCLOUD_TRUSTED_ROOTS}
 *     (colon-separated), empty by default, which refuses every local file: whoever may write a
 *     Unikernel must not be able to make the operator read the node's files
 */
public record OperatorConfig(
    Path stateDir,
    int httpPort,
    Set<String> watchNamespaces,
    boolean leaderElection,
    String leaseNamespace,
    boolean localProvider,
    Duration tick,
    Duration buildTimeout,
    InetAddress httpAddress,
    List<Path> trustedRoots) {

  public static final String LEASE_NAME = "dustcloud-operator-leader";
  /** The wildcard address: every interface. */
  public static final InetAddress ALL_INTERFACES = new InetSocketAddress(0).getAddress();
  public static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

  public OperatorConfig {
    Objects.requireNonNull(httpAddress, "httpAddress");
    trustedRoots = List.copyOf(trustedRoots);
  }

  public OperatorConfig(Path stateDir, int httpPort, Set<String> watchNamespaces, boolean leaderElection,
      String leaseNamespace, boolean localProvider, Duration tick, Duration buildTimeout, InetAddress httpAddress) {
    this(stateDir, httpPort, watchNamespaces, leaderElection, leaseNamespace, localProvider, tick, buildTimeout,
        httpAddress, List.of());
  }

  /** Health and metrics on all interfaces, as in a cluster. */
  public OperatorConfig(Path stateDir, int httpPort, Set<String> watchNamespaces, boolean leaderElection,
      String leaseNamespace, boolean localProvider, Duration tick, Duration buildTimeout) {
    this(stateDir, httpPort, watchNamespaces, leaderElection, leaseNamespace, localProvider, tick, buildTimeout,
        ALL_INTERFACES);
  }

  public static OperatorConfig fromEnv(Map<String, String> env) {
    String namespaces = env.getOrDefault("DUSTCLOUD_WATCH_NAMESPACES", "").trim();
    return new OperatorConfig(
        Path.of(env.getOrDefault("DUSTCLOUD_STATE_DIR", "/var/lib/dustcloud")),
        Integer.parseInt(env.getOrDefault("DUSTCLOUD_HTTP_PORT", "8081")),
        namespaces.isEmpty() ? Set.of() : Set.of(namespaces.split("\\s*,\\s*")),
        Boolean.parseBoolean(env.getOrDefault("DUSTCLOUD_LEADER_ELECTION", "true")),
        env.getOrDefault("POD_NAMESPACE", "dustcloud-system"),
        Boolean.parseBoolean(env.getOrDefault("DUSTCLOUD_LOCAL_PROVIDER", "false")),
        Duration.ofMillis(Long.parseLong(env.getOrDefault("DUSTCLOUD_TICK_MILLIS", "1000"))),
        Duration.ofSeconds(Long.parseLong(env.getOrDefault("DUSTCLOUD_BUILD_TIMEOUT_SECONDS", "600"))),
        ALL_INTERFACES,
        roots(env.getOrDefault("DUSTCLOUD_TRUSTED_ROOTS", "")));
  }

  private static List<Path> roots(String value) {
    List<Path> roots = new java.util.ArrayList<>();
    for (String root : value.split(":")) {
      if (root.isBlank()) {
        continue;
      }
      Path p = Path.of(root.trim());
      if (!p.isAbsolute()) {
        throw new IllegalArgumentException("DUSTCLOUD_TRUSTED_ROOTS: " + root + " is not an absolute path");
      }
      roots.add(p);
    }
    return roots;
  }

  /**
   * Dev mode: local provider, no leader election, all namespaces; local files trusted under the
   * working directory and the state directory.
   */
  public static OperatorConfig dev(Path stateDir, int httpPort) {
    return new OperatorConfig(stateDir, httpPort, Set.of(), false, "default", true,
        Duration.ofSeconds(1), Duration.ofMinutes(5), LOOPBACK,
        List.of(Path.of("").toAbsolutePath(), stateDir.toAbsolutePath()));
  }

  /** The same settings, also trusting {@code more} (dev mode's {@code --trust DIR}, tests). */
  public OperatorConfig trusting(List<Path> more) {
    List<Path> roots = new java.util.ArrayList<>(trustedRoots);
    more.forEach(p -> roots.add(p.toAbsolutePath()));
    return new OperatorConfig(stateDir, httpPort, watchNamespaces, leaderElection, leaseNamespace, localProvider, tick,
        buildTimeout, httpAddress, roots);
  }

  public OperatorConfig withHttpPort(int port) {
    return new OperatorConfig(stateDir, port, watchNamespaces, leaderElection, leaseNamespace, localProvider, tick,
        buildTimeout, httpAddress, trustedRoots);
  }
}
