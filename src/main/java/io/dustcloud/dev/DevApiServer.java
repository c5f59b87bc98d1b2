package io.dustcloud.dev;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import io.dustcloud.operator.PortUnavailableException;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * An in-process Kubernetes API for dev mode: fabric8's mock server in CRUD mode behind a {@link DevDispatcher},
 * on HTTPS on a loopback port ({@link DevHttpServer}), only for the holder of its token ({@link BearerToken});
 * usable by the operator's fabric8 client and by the real kubectl.
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
  /** The same across {@link #stop()} and {@link #restart()}: the kubeconfig written stays valid. */
  private final BearerToken token;
  private final DevTls tls;
  private final String host;
  private final int port;
  private volatile DevHttpServer server;
  private final String url;
  private final KubernetesClient client;

  private DevApiServer(DevHttpServer server, DevDispatcher dispatcher, BearerToken token, DevTls tls, String host) {
    this.server = server;
    this.dispatcher = dispatcher;
    this.token = token;
    this.tls = tls;
    this.host = host;
    this.port = server.port();
    this.url = "https://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    this.client = new KubernetesClientBuilder().withConfig(clientConfig(url, token, tls)).build();
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
    SecureRandom random = new SecureRandom();
    BearerToken token = BearerToken.generate(random);
    DevTls tls = DevTls.generate(host, random);
    DevApiServer server = new DevApiServer(listen(dispatcher, token, tls, host, port), dispatcher, token, tls, host);
    server.createNamespaces();
    return server;
  }

  /**
   * Namespaced objects are refused in a namespace that does not exist, so the server starts with the
   * namespaces a cluster has and the one the operator's lease lives in.
   */
  public static final List<String> INITIAL_NAMESPACES =
      List.of("default", "kube-system", "kube-public", "kube-node-lease", "dustcloud-system");

  private void createNamespaces() {
    INITIAL_NAMESPACES.forEach(ns -> client.namespaces().resource(new io.fabric8.kubernetes.api.model.NamespaceBuilder()
        .withNewMetadata().withName(ns).endMetadata().build()).createOr(NonDeletingOperation::update));
  }

  private static DevHttpServer listen(DevDispatcher dispatcher, BearerToken token, DevTls tls, String host, int port) {
    try {
      return DevHttpServer.listen(dispatcher, token, tls, host, port);
    } catch (RuntimeException e) {
      if (PortUnavailableException.isBindFailure(e)) {
        throw new PortUnavailableException(PURPOSE, new InetSocketAddress(host, port), rootCause(e));
      }
      throw e;
    }
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
    dispatcher.shutdown();
    server.close();
  }

  /** Listens again on the same port with the same objects after {@link #stop()}. */
  public synchronized void restart() {
    server = listen(dispatcher, token, tls, host, port);
  }

  public String url() {
    return url;
  }

  /** A client on the server with its token, shared, closed with it; default namespace "default". */
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

  /**
   * Writes a kubeconfig whose only cluster, user and context are all named {@value #KUBECONFIG_NAME}; the
   * user's token is the only place the server's token is written. The file is readable by its owner only
   * from the start, and replaces (never follows) whatever was at the path (see {@link PrivateFile}).
   */
  public Path writeKubeconfig(Path file) {
    String kubeconfig = """
        apiVersion: v1
        kind: Config
        clusters:
        - name: %1$s
          cluster:
            server: %2$s
            certificate-authority-data: %4$s
        users:
        - name: %1$s
          user:
            token: "%3$s"
        contexts:
        - name: %1$s
          context:
            cluster: %1$s
            user: %1$s
            namespace: default
        current-context: %1$s
        preferences: {}
        """.formatted(KUBECONFIG_NAME, url, token.value(), tls.caBase64());
    try {
      return PrivateFile.write(file, kubeconfig);
    } catch (UncheckedIOException e) {
      throw new UncheckedIOException("cannot write kubeconfig: " + e.getMessage(), e.getCause());
    }
  }

  @Override
  public void close() {
    client.close();
    dispatcher.shutdown();
    server.close();
  }

  private static Throwable rootCause(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t;
  }

  private static Config clientConfig(String url, BearerToken token, DevTls tls) {
    // HTTP/2 off: the server speaks HTTP/1.1 only. The certificate is trusted by value, not "trust everything".
    return new ConfigBuilder(Config.empty()).withMasterUrl(url).withCaCertData(tls.caBase64()).withTrustCerts(false)
        .withNamespace("default").withOauthToken(token.value()).withHttp2Disable(true).build();
  }
}
