package io.dustcloud.wiring;

import io.dustcloud.binding.Bindings;
import io.dustcloud.operator.CommonPool;
import io.dustcloud.operator.OperatorConfig;
import io.dustcloud.operator.PortUnavailableException;
import io.dustcloud.provider.gce.GceConfig;
import io.dustcloud.provider.gce.GceProvider;
import io.dustcloud.provider.local.LocalProvider;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.time.Clock;
import org.slf4j.LoggerFactory;
import java.util.concurrent.CountDownLatch;

/** {@code dustcloud run}: the operator in a cluster, configured from the environment. */
public final class ClusterMode {
  private ClusterMode() {}

  public static void main(String[] args) throws Exception {
    CommonPool.ensureParallel();
    OperatorConfig config = OperatorConfig.fromEnv(System.getenv());
    KubernetesClient client = new KubernetesClientBuilder().build();
    Bindings providers = new Bindings();
    if (config.localProvider()) {
      providers.register(new LocalProvider(config.stateDir().resolve("local")));
    }
    GceConfig gce = GceConfig.fromEnv(System.getenv());
    if (gce.enabled()) {
      providers.register(GceProvider.create(gce, Clock.systemUTC()));
    }
    DustcloudOperator operator;
    try {
      operator = new DustcloudOperator(client, config, providers, Clock.systemUTC()).start();
    } catch (PortUnavailableException e) {
      // the kubelet's probes would fail anyway; say which setting to change and exit
      String line = "dustcloud run: " + e.explain("DUSTCLOUD_HTTP_PORT");
      LoggerFactory.getLogger(ClusterMode.class).error(line);
      System.err.println(line);
      System.exit(1);
      return;
    } catch (RuntimeException e) {
      // JOSDK gives up when an informer cannot start (API server unreachable, CRD missing); its
      // threads and the health server would keep a useless JVM alive: exit so it is restarted
      LoggerFactory.getLogger(ClusterMode.class).error("the operator could not start; exiting", e);
      System.exit(1);
      return;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      operator.close();
      client.close();
      stopped.countDown();
    }, "dustcloud-shutdown"));
    stopped.await();
  }
}
