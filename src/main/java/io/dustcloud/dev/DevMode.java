package io.dustcloud.dev;

import io.dustcloud.api.CrdFiles;
import io.dustcloud.operator.PortUnavailableException;
import io.dustcloud.wiring.DevOperator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.LoggerFactory;

/**
 * {@code dustcloud dev}: an in-process Kubernetes API (fabric8's mock server in CRUD mode
 * behind {@link DevDispatcher}), the CRDs, a kubeconfig for the real kubectl, and the operator
 * with the local provider, composed by {@link DevOperator}. The API state lives in memory, so
 * instances are stopped when dev mode stops, and instances left by a dev mode that was killed
 * are reaped at start.
 */
public final class DevMode implements AutoCloseable {

  private final DevApiServer api;
  private final DevOperator operator;
  private final Path kubeconfig;
  private boolean closed;

  /** @param trust directories trusted for local artifacts and builds besides the working and state directories */
  public record Options(int apiPort, Path kubeconfig, Path stateDir, int httpPort, java.util.List<Path> trust) {
    public Options(int apiPort, Path kubeconfig, Path stateDir, int httpPort) {
      this(apiPort, kubeconfig, stateDir, httpPort, java.util.List.of());
    }

    static Options parse(String[] args) {
      java.util.List<Path> trust = new java.util.ArrayList<>();
      int apiPort = 0;
      int httpPort = 8081;
      Path kubeconfig = Path.of(".dustcloud", "kubeconfig");
      Path stateDir = Path.of(".dustcloud", "state");
      for (int i = 0; i < args.length; i++) {
        String value = i + 1 < args.length ? args[i + 1] : null;
        switch (args[i]) {
          case "--api-port" -> apiPort = Integer.parseInt(require(args[i], value));
          case "--http-port" -> httpPort = Integer.parseInt(require(args[i], value));
          case "--kubeconfig" -> kubeconfig = Path.of(require(args[i], value));
          case "--state-dir" -> stateDir = Path.of(require(args[i], value));
          case "--trust" -> trust.add(Path.of(require(args[i], value)).toAbsolutePath());
          default -> throw new IllegalArgumentException("unknown option " + args[i]);
        }
        i++;
      }
      return new Options(apiPort, kubeconfig.toAbsolutePath(), stateDir.toAbsolutePath(), httpPort, trust);
    }

    private static String require(String flag, String value) {
      if (value == null) {
        throw new IllegalArgumentException(flag + " needs a value");
      }
      return value;
    }
  }

  /**
   * Starts the API server, then the operator, on loopback only.
   *
   * @throws StartFailed when a port cannot be bound; whatever had started is stopped again
   */
  public DevMode(Options options) throws Exception {
    Files.createDirectories(options.stateDir());
    try {
      api = DevApiServer.start("127.0.0.1", options.apiPort());
    } catch (PortUnavailableException e) {
      throw new StartFailed(e.explain("--api-port"), e);
    }
    try {
      api.installCrds(CrdFiles.load());
      kubeconfig = api.writeKubeconfig(options.kubeconfig());
      operator = DevOperator.start(api.client(), options.stateDir(), options.httpPort(), options.trust());
    } catch (PortUnavailableException e) {
      api.close();
      throw new StartFailed(e.explain("--http-port"), e);
    } catch (Exception | Error e) {
      api.close();
      throw e;
    }
  }

  /** Dev mode could not start, for a reason its user can fix (the message says how). */
  public static final class StartFailed extends Exception {
    StartFailed(String message, Throwable cause) {
      super(message, cause);
    }
  }

  public String apiUrl() {
    return api.url();
  }

  public Path kubeconfig() {
    return kubeconfig;
  }

  public int httpPort() {
    return operator.httpPort();
  }

  public io.fabric8.kubernetes.client.KubernetesClient client() {
    return api.client();
  }

  /** The address health and metrics listen on (loopback). */
  public java.net.InetSocketAddress httpAddress() {
    return operator.httpAddress();
  }

  /** Stops every instance, the operator, then the API server. Idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      operator.close();
    } finally {
      api.close();
    }
  }

  public static void main(String[] args) throws Exception {
    Options options;
    try {
      options = Options.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("dustcloud dev: " + e.getMessage());
      System.exit(2);
      return;
    }
    // before the start: a SIGTERM or Ctrl-C once the operator runs must find what to stop
    AtomicReference<DevMode> running = new AtomicReference<>();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      DevMode started = running.get();
      if (started != null) {
        started.close();
      }
      stopped.countDown();
    }, "dustcloud-dev-shutdown"));
    DevMode dev;
    try {
      dev = new DevMode(options);
    } catch (StartFailed e) {
      System.err.println("dustcloud dev: " + e.getMessage());
      System.exit(1);
      return;
    } catch (Exception e) {
      // a half-started dev mode (an API server without an operator) is worse than none
      LoggerFactory.getLogger(DevMode.class).error("dustcloud dev could not start", e);
      System.err.println("dustcloud dev: cannot start: " + e.getMessage());
      System.exit(1);
      return;
    }
    running.set(dev);
    System.out.println("api: " + dev.apiUrl());
    System.out.println("kubeconfig: " + dev.kubeconfig());
    System.out.println("metrics: http://127.0.0.1:" + dev.httpPort() + "/metrics");
    System.out.println("try: KUBECONFIG=" + dev.kubeconfig() + " kubectl apply -f examples/hello.yaml");
    System.out.flush();
    stopped.await();
  }
}
