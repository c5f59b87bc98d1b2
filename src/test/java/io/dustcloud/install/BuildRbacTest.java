package io.dustcloud.install;

import io.dustcloud.testing.EndToEnd;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dustcloud.api.v1alpha1.ArtifactFormat;
import io.dustcloud.api.v1alpha1.BuildSpec;
import io.dustcloud.api.v1alpha1.GceProviderSpec;
import io.dustcloud.api.v1alpha1.ProviderSpec;
import io.dustcloud.api.v1alpha1.Unikernel;
import io.dustcloud.api.v1alpha1.UnikernelSpec;
import io.dustcloud.build.job.BuildJobModel;
import io.dustcloud.operator.Conditions;
import io.dustcloud.wiring.DustcloudOperator;
import io.dustcloud.operator.OperatorConfig;
import io.dustcloud.binding.Bindings;
import io.dustcloud.operator.StatusConditions;
import io.dustcloud.testing.BuildJobSimulator;
import io.dustcloud.testing.MockApiServer;
import io.dustcloud.testing.TestingFleetProvider;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * In-cluster builds make API calls the local lifecycle of {@link OperatorInClusterTest} never
 * does (Jobs, Pods, Pod logs, the build index): every one of them must be granted by the chart.
 */
@EndToEnd
class BuildRbacTest {
  static final String NS = "apps";
  static final String AGENT = "dustcloud-build-rbac-under-test";

  @TempDir Path dir;

  @Test
  void everyBuildApiCallIsAllowedByTheChartRbac() throws Exception {
    List<RecordedRequest> requests = new ArrayList<>();
    try (MockApiServer api = new MockApiServer();
        TestingFleetProvider gce = new TestingFleetProvider(io.dustcloud.binding.GceBinding.NAME)) {
      KubernetesClient client = api.client();
      KubernetesClient operatorClient = new KubernetesClientBuilder()
          .withConfig(new ConfigBuilder(client.getConfiguration()).withUserAgent(AGENT).build()).build();
      var config = new OperatorConfig(dir, 0, Set.of(), false, "dustcloud-system", false,
          Duration.ofMillis(200), Duration.ofMinutes(1));
      try (operatorClient; DustcloudOperator operator = new DustcloudOperator(operatorClient, config,
          Bindings.of(gce), Clock.systemUTC()).start()) {
        BuildJobSimulator kubelet = new BuildJobSimulator(client);
        // a build that succeeds (the index is created), one that fails while its Pod runs (log read)
        client.resource(gitBuild("ok", "1".repeat(40))).create();
        kubelet.succeed(awaitJob(client, "ok"), "5e".repeat(32));
        awaitCondition(client, "ok", Conditions.READY);
        client.resource(gitBuild("bad", "2".repeat(40))).create();
        kubelet.failWhileRunning(awaitJob(client, "bad"), "DeadlineExceeded");
        awaitCondition(client, "bad", Conditions.STALLED);
      }
      RecordedRequest r;
      while ((r = api.server().takeRequest(10, TimeUnit.MILLISECONDS)) != null) {
        if (AGENT.equals(r.getHeader("User-Agent"))) {
          requests.add(r);
        }
      }
    }
    TreeSet<String> watched = Charts.grants(Charts.one(Charts.documents(Charts.render("")), "ClusterRole", ClusterRole.class).getRules());
    TreeSet<String> calls = new TreeSet<>();
    List<String> denied = new ArrayList<>();
    for (RecordedRequest r : requests) {
      ApiCall call = ApiCall.of(r.getMethod(), r.getPath());
      calls.add(call.toString());
      if (!call.allowedBy(watched)) {
        denied.add(call + "  (" + r.getMethod() + " " + r.getPath() + ")");
      }
    }
    assertThat(calls).as("the build calls were exercised")
        .contains("batch/jobs create", "batch/jobs watch", "batch/jobs get", "core/pods list", "core/pods/log get",
            "core/configmaps create", "core/configmaps get");
    assertThat(denied).as("API calls the chart's RBAC does not allow (calls made: %s)", calls).isEmpty();
  }

  static Job awaitJob(KubernetesClient client, String uk) {
    await().atMost(Duration.ofSeconds(20)).until(() -> !jobs(client, uk).isEmpty());
    return jobs(client, uk).get(0);
  }

  static List<Job> jobs(KubernetesClient client, String uk) {
    return client.batch().v1().jobs().inNamespace(NS).withLabel(BuildJobModel.LABEL_UNIKERNEL, uk).list().getItems();
  }

  static void awaitCondition(KubernetesClient client, String name, String type) {
    await().atMost(Duration.ofSeconds(20)).until(() -> {
      Unikernel uk = client.resources(Unikernel.class).inNamespace(NS).withName(name).get();
      return uk != null && uk.getStatus() != null && StatusConditions.isTrue(uk.getStatus().conditions, type);
    });
  }

  static Unikernel gitBuild(String name, String commit) {
    Unikernel uk = new Unikernel();
    uk.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NS).build());
    UnikernelSpec spec = new UnikernelSpec();
    spec.build = new BuildSpec();
    spec.build.git = new BuildSpec.GitSource();
    spec.build.git.url = "https://github.com/acme/hello.git";
    spec.build.git.commit = commit;
    spec.build.target = ArtifactFormat.virtio;
    spec.build.builderImage = "ghcr.io/acme/mirage-builder@sha256:" + "ab".repeat(32);
    spec.build.lockFile = "hello.opam.locked";
    spec.build.outputBucket = "gs://acme-unikernels";
    spec.provider = new ProviderSpec();
    spec.provider.gce = new GceProviderSpec();
    spec.provider.gce.project = "my-project-1";
    spec.provider.gce.zone = "europe-west1-b";
    spec.scaling.minReplicas = 1;
    spec.healthCheck.periodSeconds = 1;
    uk.setSpec(spec);
    return uk;
  }
}
