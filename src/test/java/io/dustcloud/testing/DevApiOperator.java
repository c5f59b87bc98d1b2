package io.dustcloud.testing;

import io.dustcloud.api.CrdFiles;
import io.dustcloud.binding.Bindings;
import io.dustcloud.dev.DevApiServer;
import io.dustcloud.operator.OperatorConfig;
import io.dustcloud.wiring.DustcloudOperator;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.function.Consumer;

/**
 * The operator against dev mode's API server with the testing provider: what the end-to-end
 * tests that break the API server or the objects in it share. {@code dir} holds the state and a
 * trusted artifact.
 */
public final class DevApiOperator implements AutoCloseable {
  public final DevApiServer api;
  public final KubernetesClient client;
  public final TestingFleetProvider provider;
  public final DustcloudOperator operator;
  public final Path artifact;

  private DevApiOperator(DevApiServer api, TestingFleetProvider provider, DustcloudOperator operator, Path artifact) {
    this.api = api;
    this.client = api.client();
    this.provider = provider;
    this.operator = operator;
    this.artifact = artifact;
  }

  public static DevApiOperator start(Path dir) throws IOException {
    return start(dir, api -> {});
  }

  /** @param beforeOperator set up the API server (e.g. seed its faults) before the operator starts */
  public static DevApiOperator start(Path dir, Consumer<DevApiServer> beforeOperator) throws IOException {
    DevApiServer api = DevApiServer.start("127.0.0.1", 0);
    api.installCrds(CrdFiles.load());
    beforeOperator.accept(api);
    TestingFleetProvider provider = new TestingFleetProvider("local");
    DustcloudOperator operator = new DustcloudOperator(api.client(),
        OperatorConfig.dev(dir.resolve("state"), 0).trusting(List.of(dir)), Bindings.of(provider), Clock.systemUTC())
        .start();
    Path artifact = Files.writeString(dir.resolve("hello.bin"), "#!/bin/sh\necho hello\n");
    return new DevApiOperator(api, provider, operator, artifact);
  }

  @Override
  public void close() {
    api.faults().clear();
    operator.close();
    api.close();
    provider.close();
  }
}
