package io.dustcloud.operator;

import io.dustcloud.testing.EndToEnd;
import io.dustcloud.binding.Bindings;
import io.dustcloud.wiring.DustcloudOperator;
import io.dustcloud.core.Reason;
import io.dustcloud.testing.Unikernels;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dustcloud.api.v1alpha1.BuildSpec;
import io.dustcloud.api.v1alpha1.Condition;
import io.dustcloud.api.v1alpha1.GceProviderSpec;
import io.dustcloud.api.v1alpha1.ArtifactFormat;
import io.dustcloud.api.v1alpha1.ProviderSpec;
import io.dustcloud.api.v1alpha1.Unikernel;
import io.dustcloud.api.v1alpha1.UnikernelRevision;
import io.dustcloud.api.v1alpha1.UnikernelSpec;
import io.dustcloud.build.job.BuildIndex;
import io.dustcloud.build.job.BuildJobModel;
import io.dustcloud.testing.BuildJobSimulator;
import io.dustcloud.testing.MockApiServer;
import io.dustcloud.testing.TestingFleetProvider;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * In-cluster builds for the gce provider, against the mock API server (CRUD mode): the test
 * plays the Job controller and kubelet ({@link BuildJobSimulator}), the provider is in memory.
 */
@EndToEnd
class InClusterBuildTest {
  static final String NS = "apps";
  static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";
  static final String BUILDER = "ghcr.io/acme/mirage-builder@sha256:" + "ab".repeat(32);
  static final String BUCKET = "gs://acme-unikernels/dustcloud";
  static final String SHA = "5e".repeat(32);
  static final Duration WAIT = Duration.ofSeconds(20);

  @TempDir Path dir;
  MockApiServer api;
  KubernetesClient client;
  TestingFleetProvider gce;
  DustcloudOperator operator;
  BuildJobSimulator kubelet;

  @BeforeEach
  void start() throws Exception {
    api = new MockApiServer();
    client = api.client();
    gce = new TestingFleetProvider(io.dustcloud.binding.GceBinding.NAME);
    operator = new DustcloudOperator(client, OperatorConfig.dev(dir.resolve("state"), 0),
        Bindings.of(gce), Clock.systemUTC()).start();
    kubelet = new BuildJobSimulator(client);
  }

  @AfterEach
  void stop() {
    operator.close();
    gce.close();
    api.close();
  }

  static Unikernel fromGit(String name) {
    Unikernel uk = new Unikernel();
    uk.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NS).build());
    UnikernelSpec spec = new UnikernelSpec();
    spec.build = new BuildSpec();
    spec.build.git = new BuildSpec.GitSource();
    spec.build.git.url = "https://github.com/acme/hello.git";
    spec.build.git.commit = COMMIT;
    spec.build.target = ArtifactFormat.virtio;
    spec.build.builderImage = BUILDER;
    spec.build.lockFile = "mirage/hello-virtio.opam.locked";
    spec.build.outputBucket = BUCKET;
    spec.build.serviceAccount = "unikernel-builder";
    spec.build.deadlineSeconds = 900;
    spec.bootArgs = List.of("--port=8080", "--hello=\"world\"; rm -rf /");
    spec.provider = new ProviderSpec();
    spec.provider.gce = new GceProviderSpec();
    spec.provider.gce.project = "my-project-1";
    spec.provider.gce.zone = "europe-west1-b";
    spec.provider.gce.machineType = "e2-small";
    spec.scaling.minReplicas = 1;
    spec.healthCheck.periodSeconds = 1;
    uk.setSpec(spec);
    return uk;
  }

  @Test
  void createsAnUnprivilegedBuildJobOwnedByTheRevision() {
    client.resource(fromGit("hello")).create();
    Job job = awaitJobs(1).get(0);
    UnikernelRevision rev = onlyRevision("hello");
    String key = job.getMetadata().getAnnotations().get(BuildJobModel.ANNOTATION_KEY);

    assertThat(key).matches("[a-f0-9]{64}");
    assertThat(job.getMetadata().getName()).isEqualTo("dustcloud-build-" + key.substring(0, 40));
    assertThat(job.getMetadata().getOwnerReferences()).singleElement().satisfies(o -> {
      assertThat(o.getKind()).isEqualTo("UnikernelRevision");
      assertThat(o.getUid()).isEqualTo(rev.getMetadata().getUid());
      assertThat(o.getController()).isTrue();
    });
    assertThat(job.getMetadata().getLabels()).containsEntry("dustcloud.io/unikernel", "hello")
        .containsEntry("app.kubernetes.io/component", "dustcloud-build");
    var spec = job.getSpec();
    assertThat(spec.getActiveDeadlineSeconds()).isEqualTo(900L);
    assertThat(spec.getBackoffLimit()).isEqualTo(1);
    var pod = spec.getTemplate().getSpec();
    assertThat(pod.getServiceAccountName()).isEqualTo("unikernel-builder");
    assertThat(pod.getAutomountServiceAccountToken()).isFalse();
    assertThat(pod.getRestartPolicy()).isEqualTo("Never");
    assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    var c = pod.getContainers().get(0);
    assertThat(c.getImage()).isEqualTo(BUILDER);
    assertThat(c.getCommand()).containsExactly("dustcloud-build");
    assertThat(c.getArgs()).as("boot args as argv, untouched").containsExactly("--port=8080", "--hello=\"world\"; rm -rf /");
    assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
    assertThat(c.getSecurityContext().getPrivileged()).isFalse();
    assertThat(c.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(c.getSecurityContext().getCapabilities().getAdd()).isNullOrEmpty();
    assertThat(c.getTerminationMessagePolicy()).isEqualTo("FallbackToLogsOnError");
    assertThat(c.getResources().getLimits()).containsEntry("cpu", new Quantity("2")).containsEntry("memory", new Quantity("4Gi"));
    assertThat(c.getResources().getRequests()).isEqualTo(c.getResources().getLimits());
    assertThat(c.getVolumeMounts()).extracting(m -> m.getMountPath()).contains("/work", "/tmp");
    assertThat(pod.getVolumes()).allSatisfy(v -> assertThat(v.getEmptyDir()).isNotNull());
    Map<String, String> env = c.getEnv().stream().collect(Collectors.toMap(EnvVar::getName, EnvVar::getValue));
    assertThat(env).containsEntry("DUSTCLOUD_GIT_URL", "https://github.com/acme/hello.git")
        .containsEntry("DUSTCLOUD_GIT_COMMIT", COMMIT)
        .containsEntry("DUSTCLOUD_TARGET", "virtio")
        .containsEntry("DUSTCLOUD_LOCK_FILE", "mirage/hello-virtio.opam.locked")
        .containsEntry("DUSTCLOUD_BUILD_KEY", key)
        .containsEntry("DUSTCLOUD_OUTPUT_URL", BUCKET + "/" + key + ".tar.gz");

    // progress: Built=Unknown on the revision, Reconciling on the Unikernel, an Event naming the Job
    await().atMost(WAIT).untilAsserted(() -> {
      Condition built = condition(onlyRevision("hello").getStatus().conditions, Conditions.BUILT);
      assertThat(built.status).isEqualTo(Conditions.UNKNOWN);
      assertThat(built.reason).isEqualTo("Building");
      assertThat(built.message).contains(job.getMetadata().getName());
    });
    Unikernel uk = get("hello");
    assertThat(condition(uk.getStatus().conditions, Conditions.RECONCILING).reason).isEqualTo("Building");
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(events("hello")).anySatisfy(e -> {
      assertThat(e.getReason()).isEqualTo(Reason.BUILD_STARTED.value());
      assertThat(e.getMessage()).contains(job.getMetadata().getName(), rev.getMetadata().getName(), key);
    }));
  }

  @Test
  void deletingTheUnikernelDeletesItsRunningBuildJob() {
    client.resource(fromGit("hello")).create();
    Job job = awaitJobs(1).get(0);

    client.resources(Unikernel.class).inNamespace(NS).withName("hello").delete();

    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(client.resources(Unikernel.class).inNamespace(NS).withName("hello").get()).isNull();
      assertThat(client.batch().v1().jobs().inNamespace(NS).withName(job.getMetadata().getName()).get())
          .as("the build Job nobody waits for").isNull();
    });
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(events("hello")).anySatisfy(e -> {
      assertThat(e.getReason()).isEqualTo(Reason.BUILD_CANCELLED.value());
      assertThat(e.getMessage()).contains(job.getMetadata().getName());
    }));
  }

  @Test
  void aSuccessfulBuildRecordsTheArtifactAndTheRevisionBecomesReady() {
    client.resource(fromGit("hello")).create();
    Job job = awaitJobs(1).get(0);
    String key = job.getMetadata().getAnnotations().get(BuildJobModel.ANNOTATION_KEY);
    String url = BUCKET + "/" + key + ".tar.gz";

    kubelet.succeed(job, url, SHA);

    Unikernel uk = awaitCondition("hello", Conditions.READY, Conditions.TRUE);
    UnikernelRevision rev = onlyRevision("hello");
    assertThat(rev.getStatus().artifact.url).isEqualTo(url);
    assertThat(rev.getStatus().artifact.sha256).isEqualTo(SHA);
    assertThat(rev.getStatus().artifact.format).isEqualTo(ArtifactFormat.virtio);
    assertThat(rev.getStatus().buildKey).isEqualTo(key);
    assertThat(condition(rev.getStatus().conditions, Conditions.BUILT).status).isEqualTo(Conditions.TRUE);
    assertThat(condition(rev.getStatus().conditions, Conditions.READY).status).isEqualTo(Conditions.TRUE);
    assertThat(uk.getStatus().readyReplicas).isEqualTo(1);
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
        assertThat(events("hello")).extracting(Event::getReason).contains(Reason.BUILD_SUCCEEDED.value()));
    assertThat(client.configMaps().inNamespace(NS).withName(BuildIndex.NAME).get().getData())
        .containsEntry(key, "{\"url\":\"" + url + "\",\"sha256\":\"" + SHA + "\"}");
  }

  @Test
  void aRevisionOrFleetWithABuiltKeyReusesTheArtifactWithoutAJob() {
    client.resource(fromGit("hello")).create();
    Job job = awaitJobs(1).get(0);
    String key = job.getMetadata().getAnnotations().get(BuildJobModel.ANNOTATION_KEY);
    kubelet.succeed(job, BUCKET + "/" + key + ".tar.gz", SHA);
    String first = awaitCondition("hello", Conditions.READY, Conditions.TRUE).getStatus().currentRevision;

    // a new revision (machine shape) with the same build inputs
    Unikernel changed = get("hello");
    changed.getSpec().provider.gce.machineType = "e2-medium";
    Unikernels.update(client, changed);
    await().atMost(WAIT).untilAsserted(() -> {
      Unikernel uk = get("hello");
      assertThat(uk.getStatus().currentRevision).isNotEqualTo(first);
      assertThat(condition(uk.getStatus().conditions, Conditions.READY).status).isEqualTo(Conditions.TRUE);
    });
    // and another fleet built from the same inputs
    client.resource(fromGit("hello-eu")).create();
    awaitCondition("hello-eu", Conditions.READY, Conditions.TRUE);

    List<UnikernelRevision> revisions = client.resources(UnikernelRevision.class).inNamespace(NS).list().getItems();
    assertThat(revisions).hasSize(3).allSatisfy(r -> {
      assertThat(r.getStatus().buildKey).isEqualTo(key);
      assertThat(r.getStatus().artifact.sha256).isEqualTo(SHA);
    });
    assertThat(jobs()).as("one build for one key").hasSize(1);
  }

  @Test
  void aFailedBuildStallsWithTheLogTail() {
    client.resource(fromGit("hello")).create();
    Job job = awaitJobs(1).get(0);

    kubelet.fail(job, "BackoffLimitExceeded",
        "cloning https://github.com/acme/hello.git\n[ERROR] No package named mirage-crypto-rng.1.9 in the lock file\nmake: *** [depend] Error 1");

    Condition stalled = awaitCondition("hello", Conditions.STALLED, Conditions.TRUE).getStatus().conditions.stream()
        .filter(c -> c.type.equals(Conditions.STALLED)).findFirst().orElseThrow();
    assertThat(stalled.reason).isEqualTo(Reason.BUILD_FAILED.value());
    assertThat(stalled.message).contains(job.getMetadata().getName(), "BackoffLimitExceeded",
        "No package named mirage-crypto-rng.1.9", "make: *** [depend] Error 1");
    Condition built = condition(onlyRevision("hello").getStatus().conditions, Conditions.BUILT);
    assertThat(built.status).isEqualTo(Conditions.FALSE);
    assertThat(built.reason).isEqualTo(Reason.BUILD_FAILED.value());
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
        assertThat(events("hello")).anySatisfy(e -> assertThat(e.getReason()).isEqualTo(Reason.BUILD_FAILED.value())));
    assertThat(gce.calls).noneMatch(c -> c.startsWith("realize"));
  }

  @Test
  void aBuildPastItsDeadlineStallsAsTimedOut() {
    client.resource(fromGit("hello")).create();
    Job job = awaitJobs(1).get(0);

    kubelet.fail(job, "DeadlineExceeded", "Building mirage-crypto (47/212)");

    Unikernel uk = awaitCondition("hello", Conditions.STALLED, Conditions.TRUE);
    Condition stalled = condition(uk.getStatus().conditions, Conditions.STALLED);
    assertThat(stalled.reason).isEqualTo(Reason.BUILD_TIMED_OUT.value());
    assertThat(stalled.message).contains("activeDeadlineSeconds 900", "Building mirage-crypto (47/212)");
  }

  @Test
  void aFailedBuildRunsAgainWithNewSettings() {
    client.resource(fromGit("hello")).create();
    Job job = awaitJobs(1).get(0);
    kubelet.fail(job, "DeadlineExceeded", "still compiling");
    awaitCondition("hello", Conditions.STALLED, Conditions.TRUE);

    Unikernel longer = get("hello");
    longer.getSpec().build.deadlineSeconds = 3600;
    Unikernels.update(client, longer);

    await().atMost(WAIT).untilAsserted(() -> assertThat(jobs()).singleElement()
        .satisfies(j -> assertThat(j.getSpec().getActiveDeadlineSeconds()).isEqualTo(3600L)));
    assertThat(jobs().get(0).getMetadata().getName()).as("same key, same name").isEqualTo(job.getMetadata().getName());
  }

  @Test
  void aBuilderThatBreaksTheContractFails() {
    client.resource(fromGit("hello")).create();
    Job job = awaitJobs(1).get(0);

    kubelet.succeed(job, "gs://someone-elses-bucket/x.tar.gz", SHA);

    Unikernel uk = awaitCondition("hello", Conditions.STALLED, Conditions.TRUE);
    assertThat(condition(uk.getStatus().conditions, Conditions.STALLED).message)
        .contains("uploaded to gs://someone-elses-bucket/x.tar.gz", "refusing the artifact");
  }

  List<Job> awaitJobs(int n) {
    await().atMost(WAIT).until(() -> jobs().size() == n);
    return jobs();
  }

  List<Job> jobs() {
    return client.batch().v1().jobs().inNamespace(NS).list().getItems();
  }

  UnikernelRevision onlyRevision(String uk) {
    List<UnikernelRevision> revs = client.resources(UnikernelRevision.class).inNamespace(NS)
        .withLabel(RevisionModel.LABEL_UNIKERNEL, uk).list().getItems();
    assertThat(revs).hasSize(1);
    return revs.get(0);
  }

  Unikernel get(String name) {
    return client.resources(Unikernel.class).inNamespace(NS).withName(name).get();
  }

  Unikernel awaitCondition(String name, String type, String status) {
    await().atMost(WAIT).until(() -> {
      Unikernel uk = get(name);
      Condition c = uk == null || uk.getStatus() == null ? null : condition(uk.getStatus().conditions, type);
      return c != null && status.equals(c.status);
    });
    return get(name);
  }

  static Condition condition(List<Condition> conditions, String type) {
    return StatusConditions.find(conditions, type);
  }

  List<Event> events(String name) {
    return client.v1().events().inNamespace(NS).list().getItems().stream()
        .filter(e -> name.equals(e.getInvolvedObject().getName())).toList();
  }
}
