package io.dustcloud.build;

import static org.assertj.core.api.Assertions.assertThat;

import io.dustcloud.api.v1alpha1.ArtifactFormat;
import io.dustcloud.api.v1alpha1.BuildSpec;
import io.dustcloud.api.v1alpha1.GceProviderSpec;
import io.dustcloud.api.v1alpha1.ProviderSpec;
import io.dustcloud.api.v1alpha1.UnikernelRevisionSpec;
import io.dustcloud.api.v1alpha1.UnikernelSpec;
import io.dustcloud.operator.RevisionModel;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** Which fields of a Unikernel spec reach the in-cluster build key, and which do not. */
class BuildKeysTest {
  static UnikernelSpec spec() {
    UnikernelSpec s = new UnikernelSpec();
    s.build = new BuildSpec();
    s.build.git = new BuildSpec.GitSource();
    s.build.git.url = "https://github.com/acme/hello.git";
    s.build.git.commit = "0123456789abcdef0123456789abcdef01234567";
    s.build.target = ArtifactFormat.virtio;
    s.build.builderImage = "ghcr.io/acme/b@sha256:" + "a".repeat(64);
    s.build.lockFile = "hello.opam.locked";
    s.build.outputBucket = "gs://acme/dustcloud";
    s.bootArgs = List.of("--port=8080");
    s.provider = new ProviderSpec();
    s.provider.gce = new GceProviderSpec();
    s.provider.gce.project = "my-project-1";
    s.provider.gce.zone = "europe-west1-b";
    return s;
  }

  static String key(String name, Consumer<UnikernelSpec> change) {
    UnikernelSpec s = Serialization.clone(spec());
    change.accept(s);
    UnikernelRevisionSpec rev = RevisionModel.revisionSpec(name, s);
    return BuildKeys.key(BuildKeys.inCluster(rev));
  }

  static final Map<String, Consumer<UnikernelSpec>> INPUTS = Map.of(
      "git url", s -> s.build.git.url = "https://github.com/acme/fork.git",
      "commit", s -> s.build.git.commit = "f".repeat(40),
      "target", s -> s.build.target = ArtifactFormat.hvt,
      "builder image digest", s -> s.build.builderImage = "ghcr.io/acme/b@sha256:" + "b".repeat(64),
      "lock file", s -> s.build.lockFile = "other.opam.locked",
      "boot args (baked into GCE images)", s -> s.bootArgs = List.of("--port=9090"),
      "output bucket", s -> s.build.outputBucket = "gs://acme/elsewhere");

  static final Map<String, Consumer<UnikernelSpec>> NOT_INPUTS = Map.of(
      "scaling", s -> s.scaling.minReplicas = 7,
      "health checks", s -> s.healthCheck.periodSeconds = 3,
      "port", s -> s.port = 9999,
      "machine shape and zone", s -> { s.provider.gce.machineType = "e2-medium"; s.provider.gce.zone = "us-east1-b"; },
      "build resources, deadline and service account", s -> {
        s.build.resources = new BuildSpec.BuildResources();
        s.build.resources.cpu = "8";
        s.build.deadlineSeconds = 7200;
        s.build.serviceAccount = "builder";
      },
      "revision history and deletion policy", s -> { s.revisionHistoryLimit = 2; s.deletionPolicy = UnikernelSpec.DeletionPolicy.Orphan; });

  @Test
  void everyBuildInputChangesTheKey() {
    String base = key("hello", s -> {});
    INPUTS.forEach((input, change) -> assertThat(key("hello", change)).as(input).isNotEqualTo(base));
  }

  @Test
  void nothingElseDoes() {
    String base = key("hello", s -> {});
    assertThat(key("another-fleet", s -> {})).as("the Unikernel's name").isEqualTo(base);
    NOT_INPUTS.forEach((field, change) -> assertThat(key("hello", change)).as(field).isEqualTo(base));
  }
}
