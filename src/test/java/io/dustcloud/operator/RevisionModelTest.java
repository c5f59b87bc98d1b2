package io.dustcloud.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.dustcloud.api.v1alpha1.ArtifactFormat;
import io.dustcloud.api.v1alpha1.BuildSpec;
import io.dustcloud.api.v1alpha1.GceProviderSpec;
import io.dustcloud.api.v1alpha1.ImageSource;
import io.dustcloud.api.v1alpha1.LocalProviderSpec;
import io.dustcloud.api.v1alpha1.ProviderSpec;
import io.dustcloud.api.v1alpha1.Unikernel;
import io.dustcloud.api.v1alpha1.UnikernelRevision;
import io.dustcloud.api.v1alpha1.UnikernelSpec;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RevisionModelTest {
  static final String SHA = "0123456789abcdef".repeat(4);

  static Unikernel unikernel(Consumer<UnikernelSpec> change) {
    Unikernel uk = new Unikernel();
    uk.setMetadata(
        new ObjectMetaBuilder().withName("web").withNamespace("apps").withUid("uid-1").withGeneration(1L).build());
    UnikernelSpec s = new UnikernelSpec();
    s.image = new ImageSource();
    s.image.url = "/opt/web.bin";
    s.image.sha256 = SHA;
    s.provider = new ProviderSpec();
    s.provider.local = new LocalProviderSpec();
    s.bootArgs = new ArrayList<>(List.of("--port", "{port}"));
    change.accept(s);
    uk.setSpec(s);
    return uk;
  }

  static String hash(Consumer<UnikernelSpec> change) {
    return RevisionModel.desired(unikernel(change)).getSpec().hash;
  }

  static final String BASE = hash(s -> {});

  static Arguments row(String name, Consumer<UnikernelSpec> change) {
    return Arguments.of(name, change);
  }

  static Stream<Arguments> revisionRelevant() {
    return Stream.of(
        row("image url", s -> s.image.url = "/opt/web2.bin"),
        row("image sha256", s -> s.image.sha256 = "f".repeat(64)),
        row("image format", s -> s.image.format = ArtifactFormat.virtio),
        row("build instead of image", s -> {
          s.image = null;
          s.build = new BuildSpec();
          s.build.source = new BuildSpec.LocalSource();
          s.build.source.path = "/src/web";
          s.build.source.artifact = "web.bin";
        }),
        row("boot args changed", s -> s.bootArgs.set(1, "8081")),
        row("boot arg added", s -> s.bootArgs.add("-v")),
        row("boot args reordered", s -> s.bootArgs = new ArrayList<>(List.of("{port}", "--port"))),
        row("port", s -> s.port = 9090),
        row("local runtime", s -> s.provider.local.runtime = LocalProviderSpec.Runtime.qemu),
        row("provider gce instead of local", s -> {
          s.provider.local = null;
          s.provider.gce = new GceProviderSpec();
          s.provider.gce.project = "my-project";
          s.provider.gce.zone = "europe-west1-b";
        }));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("revisionRelevant")
  void revisionRelevantChangesChangeTheHash(String name, Consumer<UnikernelSpec> change) {
    assertThat(hash(change)).isNotEqualTo(BASE);
  }

  static Stream<Arguments> notRevisionRelevant() {
    return Stream.of(
        row("minReplicas", s -> s.scaling.minReplicas = 7),
        row("maxReplicas", s -> s.scaling.maxReplicas = 99),
        row("no scaling", s -> s.scaling = null),
        row("health path", s -> httpProbe(s, "/ready")),
        row("health period", s -> s.healthCheck.periodSeconds = 5),
        row("health timeout", s -> s.healthCheck.timeoutSeconds = 3),
        row("failure threshold", s -> s.healthCheck.failureThreshold = 9),
        row("deletion policy", s -> s.deletionPolicy = UnikernelSpec.DeletionPolicy.Orphan),
        row("revision history limit", s -> s.revisionHistoryLimit = 2));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("notRevisionRelevant")
  void otherChangesKeepTheHash(String name, Consumer<UnikernelSpec> change) {
    assertThat(hash(change)).isEqualTo(BASE);
  }

  @Test
  void hashIsStableAcrossObjects() {
    assertThat(hash(s -> {})).isEqualTo(BASE);
    // the same list content, another list type
    assertThat(hash(s -> s.bootArgs = List.of("--port", "{port}"))).isEqualTo(BASE);
  }

  @Test
  void revisionIsNamedOwnedAndLabelled() {
    Unikernel uk = unikernel(s -> {});
    UnikernelRevision rev = RevisionModel.desired(uk);

    assertThat(rev.getSpec().hash).matches("[0-9a-f]{10}");
    assertThat(rev.getMetadata().getName()).isEqualTo("web-" + rev.getSpec().hash);
    assertThat(rev.getMetadata().getNamespace()).isEqualTo("apps");
    assertThat(rev.getMetadata().getLabels())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "dustcloud.io/unikernel", "web",
                "dustcloud.io/revision-hash", rev.getSpec().hash,
                "app.kubernetes.io/managed-by", "dustcloud"));

    assertThat(rev.getMetadata().getOwnerReferences()).hasSize(1);
    OwnerReference owner = rev.getMetadata().getOwnerReferences().get(0);
    assertThat(owner.getApiVersion()).isEqualTo("dustcloud.io/v1alpha1");
    assertThat(owner.getKind()).isEqualTo("Unikernel");
    assertThat(owner.getName()).isEqualTo("web");
    assertThat(owner.getUid()).isEqualTo("uid-1");
    assertThat(owner.getController()).isTrue();
    assertThat(owner.getBlockOwnerDeletion()).isTrue();
  }

  @Test
  void revisionSpecFreezesTheRevisionRelevantFields() {
    Unikernel uk = unikernel(s -> s.port = 9090);
    var spec = RevisionModel.desired(uk).getSpec();
    assertThat(spec.unikernel).isEqualTo("web");
    assertThat(spec.port).isEqualTo(9090);
    assertThat(spec.bootArgs).containsExactly("--port", "{port}");
    assertThat(spec.image.url).isEqualTo("/opt/web.bin");
    assertThat(spec.provider.local).isNotNull();
    assertThat(spec.build).isNull();
  }

  @Test
  void theLoadBalancerIsFleetLevelItNeverEntersARevisionOrItsHash() {
    Consumer<UnikernelSpec> gce = s -> {
      s.provider.local = null;
      s.provider.gce = new GceProviderSpec();
      s.provider.gce.project = "my-project";
      s.provider.gce.zone = "europe-west1-b";
    };
    String without = hash(gce);
    Unikernel uk = unikernel(gce.andThen(s -> {
      s.provider.gce.loadBalancer = new io.dustcloud.api.v1alpha1.LoadBalancerSpec();
      s.provider.gce.loadBalancer.type = io.dustcloud.api.v1alpha1.LoadBalancerSpec.Type.Internal;
      s.provider.gce.loadBalancer.drainingSeconds = 5;
    }));
    var rev = RevisionModel.desired(uk).getSpec();
    assertThat(rev.hash).isEqualTo(without);
    assertThat(rev.provider.gce.loadBalancer).isNull();
    assertThat(rev.provider.gce.project).isEqualTo("my-project");
    assertThat(uk.getSpec().provider.gce.loadBalancer.type).as("the Unikernel keeps its own")
        .isEqualTo(io.dustcloud.api.v1alpha1.LoadBalancerSpec.Type.Internal);
  }

  @Test
  void unsetBootArgsHashLikeEmptyOnes() {
    assertThat(hash(s -> s.bootArgs = null)).isEqualTo(hash(s -> s.bootArgs = new ArrayList<>()));
  }

  static void httpProbe(io.dustcloud.api.v1alpha1.UnikernelSpec s, String path) {
    s.healthCheck.http = new io.dustcloud.api.v1alpha1.HealthCheckSpec.HttpProbe();
    s.healthCheck.http.path = path;
  }
}
