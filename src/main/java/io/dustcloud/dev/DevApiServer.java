package io.dustcloud.dev;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import io.dustcloud.operator.PortUnavailableException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;

/**
 * An in-process Kubernetes API for dev mode: fabric8's mock server in CRUD mode behind a {@link DevDispatcher},
 * on plain HTTP on a loopback port, usable by the operator's fabric8 client and by the real kubectl.
 */
public final class DevApiServer implements AutoCloseable {

  public static final String KUBECONFIG_NAME = "dustcloud-dev";
  static final String PURPOSE = "API server";
  /**
   * The mock logs every request at INFO through JUL; at a few hundred requests a second that
   * costs more than serving them. JUL holds loggers weakly: keep a reference so the level sticks.
   */
  private static final java.util.logging.Logger MOCK_LOG = java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

  private final DevDispatcher dispatcher;
  private final String host;
  private final int port;
  private volatile KubernetesMockServer server;
  private final String url;
  private final KubernetesClient client;

  private DevApiServer(KubernetesMockServer server, DevDispatcher dispatcher, String host) {
    this.server = server;
    this.dispatcher = dispatcher;
    this.host = host;
    this.port = server.getPort();
    this.url = "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    this.client = new KubernetesClientBuilder().withConfig(clientConfig(url)).build();
  }

  /** The mock server's per-request INFO lines off (see {@link #MOCK_LOG}). */
  public static void quietMockLogging() {
    MOCK_LOG.setLevel(java.util.logging.Level.WARNING);
  }

  /**
   * @param port 0 for any free port
   * @throws PortUnavailableException when the port cannot be bound
   */
  public static DevApiServer start(String host, int port) {
    quietMockLogging();
    DevDispatcher dispatcher = new DevDispatcher();
    return new DevApiServer(listen(dispatcher, host, port), dispatcher, host);
  }

  private static KubernetesMockServer listen(DevDispatcher dispatcher, String host, int port) {
    KubernetesMockServer server = new KubernetesMockServer(new Context(Serialization.jsonMapper()),
        new MockWebServer(), new HashMap<>(), dispatcher, false);
    InetAddress address;
    try {
      address = InetAddress.getByName(host);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("unknown host " + host, e);
    }
    try {
      server.init(address, port);
    } catch (RuntimeException e) {
      // the mock's Vert.x threads are up even when the listen failed: they must not keep a
      // dev mode that cannot start alive
      try {
        server.destroy();
      } catch (RuntimeException ignored) {
        // nothing more to release
      }
      if (PortUnavailableException.isBindFailure(e)) {
        throw new PortUnavailableException(PURPOSE, new InetSocketAddress(address, port), rootCause(e));
      }
      throw e;
    }
    return server;
  }

  /** Faults to inject (reliability tests; see {@link DevFaults}). */
  public DevFaults faults() {
    return dispatcher.faults();
  }

  /**
   * Stops listening: connections are refused and open watches drop, as when an API server goes
   * away. The stored objects are kept for {@link #restart()}. (Reliability tests.)
   */
  public synchronized void stop() {
    server.destroy();
  }

  /** Listens again on the same port with the same objects after {@link #stop()}. */
  public synchronized void restart() {
    server = listen(dispatcher, host, port);
  }

  public String url() {
    return url;
  }

  /** A client on the server, shared, closed with it; default namespace "default". */
  public KubernetesClient client() {
    return client;
  }

  /**
   * Creates (or updates) the CRDs through the API, so the store learns each one's plural and scope and serves its
   * custom resources at /apis/GROUP/VERSION/[namespaces/NS/]PLURAL.
   */
  public void installCrds(List<CustomResourceDefinition> crds) {
    crds.forEach(crd -> client.resource(crd).createOr(NonDeletingOperation::update));
  }

  /** Installs every CRD in the (possibly multi-document) YAML streams; other kinds in them are ignored. */
  public void installCrds(InputStream... yamlStreams) {
    List<CustomResourceDefinition> crds = new ArrayList<>();
    for (InputStream yaml : yamlStreams) {
      for (HasMetadata item : client.load(yaml).items()) {
        if (item instanceof CustomResourceDefinition crd) {
          crds.add(crd);
        }
      }
    }
    installCrds(crds);
  }

  /** Writes a kubeconfig whose only cluster, user and context are all named {@value #KUBECONFIG_NAME}. */
  public Path writeKubeconfig(Path file) {
    String kubeconfig = """
        apiVersion: v1
        kind: Config
        clusters:
        - name: %1$s
          cluster:
            server: %2$s
        users:
        - name: %1$s
          user: {}
        contexts:
        - name: %1$s
          context:
            cluster: %1$s
            user: %1$s
            namespace: default
        current-context: %1$s
        preferences: {}
        """.formatted(KUBECONFIG_NAME, url);
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      return Files.writeString(file, kubeconfig);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write kubeconfig " + file, e);
    }
  }

  @Override
  public void close() {
    client.close();
    server.destroy();
  }

  private static Throwable rootCause(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t;
  }

  private static Config clientConfig(String url) {
    // HTTP/2 off: the mock speaks HTTP/1.1 on cleartext, and an h2c upgrade attempt only adds a round trip.
    return new ConfigBuilder(Config.empty()).withMasterUrl(url).withTrustCerts(true).withNamespace("default")
        .withHttp2Disable(true).build();
  }
}
