package io.dustcloud.dev;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.dustcloud.api.CrdFiles;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;

/** A dev API server with the shipped CRDs and the real kubectl pointed at it. */
final class KubectlFixture implements AutoCloseable {
  final DevApiServer server;
  final KubernetesClient client;
  final Kubectl kubectl;

  private KubectlFixture(DevApiServer server, Path dir) {
    this.server = server;
    this.client = server.client();
    this.kubectl = new Kubectl(server.writeKubeconfig(dir.resolve("kubeconfig")), dir);
  }

  /** Starts the server on a free loopback port; {@code dir} holds the kubeconfig and kubectl's files. */
  static KubectlFixture start(Path dir) {
    assumeTrue(Kubectl.onPath(), "kubectl is not on PATH");
    DevApiServer server = DevApiServer.start("127.0.0.1", 0);
    server.installCrds(CrdFiles.load());
    return new KubectlFixture(server, dir);
  }

  @Override
  public void close() {
    server.close();
  }
}
