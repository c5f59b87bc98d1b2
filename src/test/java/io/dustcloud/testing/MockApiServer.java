package io.dustcloud.testing;

import io.dustcloud.api.CrdFiles;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.util.HashMap;

/**
 * fabric8's mock API server in CRUD mode with Dustcloud's CRDs installed, refusing stale status
 * writes with 409 like a real API server ({@link io.dustcloud.dev.VersionCheckingCrudDispatcher}).
 */
public final class MockApiServer implements AutoCloseable {
  private final KubernetesMockServer server;
  private final KubernetesClient client;

  public MockApiServer() {
    io.dustcloud.dev.DevApiServer.quietMockLogging();
    server =
        new KubernetesMockServer(
            new Context(), new MockWebServer(), new HashMap<>(), new io.dustcloud.dev.VersionCheckingCrudDispatcher(), false);
    server.init();
    client = server.createClient();
    CrdFiles.load().forEach(crd -> client.resource(crd).create());
  }

  public KubernetesClient client() {
    return client;
  }

  /** The server, for tests that inspect the requests it received. */
  public KubernetesMockServer server() {
    return server;
  }

  /** A fresh client, as a restarted operator would have. */
  public KubernetesClient newClient() {
    return server.createClient();
  }

  @Override
  public void close() {
    client.close();
    server.destroy();
  }
}
