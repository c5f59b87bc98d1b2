package io.dustcloud.operator;

import io.dustcloud.testing.EndToEnd;
import io.dustcloud.binding.Bindings;
import io.dustcloud.wiring.DustcloudOperator;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dustcloud.api.v1alpha1.Unikernel;
import io.dustcloud.api.CrdFiles;
import io.dustcloud.dev.DevApiServer;
import io.dustcloud.testing.TestingFleetProvider;
import io.dustcloud.testing.Unikernels;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two operator replicas with leader election: one leads and acts, the other stands by. Runs
 * against dev mode's API server, which answers JOSDK's permission check.
 */
@EndToEnd
class LeaderElectionTest {
  @TempDir Path dir;

  /** A client of its own for each replica, from the kubeconfig (and so the token) a user would get. */
  io.fabric8.kubernetes.client.KubernetesClient newClient(DevApiServer api) throws java.io.IOException {
    String kubeconfig = java.nio.file.Files.readString(api.writeKubeconfig(dir.resolve("kubeconfig")));
    return new io.fabric8.kubernetes.client.KubernetesClientBuilder()
        .withConfig(io.fabric8.kubernetes.client.Config.fromKubeconfig(kubeconfig)).build();
  }

  final java.util.concurrent.atomic.AtomicInteger lost = new java.util.concurrent.atomic.AtomicInteger();

  @Test
  void onlyTheLeaderActs() throws Exception {
    try (DevApiServer api = DevApiServer.start("127.0.0.1", 0);
        TestingFleetProvider a = new TestingFleetProvider("local");
        TestingFleetProvider b = new TestingFleetProvider("local")) {
      api.installCrds(CrdFiles.load());
      OperatorConfig config = new OperatorConfig(dir, 0, Set.of(), true, "default", true,
          Duration.ofMillis(500), Duration.ofMinutes(1)).trusting(java.util.List.of(dir));
      try (DustcloudOperator first = new DustcloudOperator(newClient(api), config, Bindings.of(a), Clock.systemUTC(), () -> lost.incrementAndGet()).start();
          DustcloudOperator second = new DustcloudOperator(newClient(api), config, Bindings.of(b), Clock.systemUTC(), () -> lost.incrementAndGet()).start()) {
        Path artifact = Files.writeString(dir.resolve("bin"), "x");
        api.client().resource(Unikernels.local("default", "hello", artifact, 1)).create();
        await().atMost(Duration.ofSeconds(30)).until(() -> {
          Unikernel uk = api.client().resources(Unikernel.class).inNamespace("default").withName("hello").get();
          return uk.getStatus() != null && StatusConditions.isTrue(uk.getStatus().conditions, Conditions.READY);
        });
        Lease lease = api.client().leases().inNamespace("default").withName(OperatorConfig.LEASE_NAME).get();
        assertThat(lease).isNotNull();
        assertThat(lease.getSpec().getHolderIdentity()).isNotBlank();
        assertThat(a.calls.isEmpty()).as("exactly one replica acted: a=%s b=%s", a.calls, b.calls)
            .isNotEqualTo(b.calls.isEmpty());
        assertThat(lost).as("nobody lost leadership while both ran").hasValue(0);
      }
    }
  }
}
