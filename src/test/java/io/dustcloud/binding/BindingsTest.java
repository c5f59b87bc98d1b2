package io.dustcloud.binding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dustcloud.api.v1alpha1.ArtifactFormat;
import io.dustcloud.api.v1alpha1.GceProviderSpec;
import io.dustcloud.api.v1alpha1.ImageSource;
import io.dustcloud.api.v1alpha1.LocalProviderSpec;
import io.dustcloud.api.v1alpha1.ProviderSpec;
import io.dustcloud.api.v1alpha1.UnikernelRevision;
import io.dustcloud.api.v1alpha1.UnikernelRevisionSpec;
import io.dustcloud.api.v1alpha1.UnikernelSpec;
import io.dustcloud.build.ArtifactResolver;
import io.dustcloud.core.Reason;
import io.dustcloud.provider.FleetId;
import io.dustcloud.provider.FleetProvider;
import io.dustcloud.provider.ProviderException;
import io.dustcloud.provider.RevisionImage;
import io.dustcloud.provider.gce.GceSettings;
import io.dustcloud.provider.local.LocalSettings;
import io.dustcloud.testing.TestingFleetProvider;
import io.fabric8.generator.annotation.Default;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BindingsTest {
  private static final ArtifactResolver LOCAL_ARTIFACTS = (key, spec, sha) -> null;
  private static final ArtifactResolver CLOUD_ARTIFACTS = (key, spec, sha) -> null;
  private static final ArtifactResolvers RESOLVERS = new ArtifactResolvers(LOCAL_ARTIFACTS, CLOUD_ARTIFACTS);

  @Test
  void theCrdsPortDefaultIsTheOneConstant() throws Exception {
    Default annotation = UnikernelSpec.class.getField("port").getAnnotation(Default.class);
    assertThat(Integer.parseInt(annotation.value())).isEqualTo(RevisionImage.DEFAULT_PORT);
    assertThat(new UnikernelSpec().port).isEqualTo(RevisionImage.DEFAULT_PORT);
  }

  @Test
  void theCrdsGceDefaultsAreTheProvidersDefaults() throws Exception {
    assertThat(GceProviderSpec.class.getField("machineType").getAnnotation(Default.class).value())
        .isEqualTo(GceSettings.DEFAULT_MACHINE_TYPE);
    assertThat(GceProviderSpec.class.getField("network").getAnnotation(Default.class).value())
        .isEqualTo(GceSettings.DEFAULT_NETWORK);
  }

  @Test
  void providersRegisteredAloneAreBoundByNameWithTheirAdapterAndResolver() {
    TestingFleetProvider local = new TestingFleetProvider("local");
    TestingFleetProvider gce = new TestingFleetProvider("gce");
    Bindings bindings = Bindings.of(local, gce);
    assertThat(bindings.configuredNames()).isEqualTo("gce, local");
    assertThatThrownBy(() -> bindings.forSpec(localSpec())).isInstanceOf(IllegalStateException.class);

    Bindings bound = bindings.bind(RESOLVERS);

    ProviderBinding l = bound.forSpec(localSpec()).orElseThrow();
    assertThat(l).isInstanceOf(LocalBinding.class);
    assertThat(l.provider()).isSameAs(local);
    assertThat(l.artifacts()).isSameAs(LOCAL_ARTIFACTS);
    ProviderBinding g = bound.forSpec(gceSpec()).orElseThrow();
    assertThat(g).isInstanceOf(GceBinding.class);
    assertThat(g.provider()).isSameAs(gce);
    assertThat(g.artifacts()).isSameAs(CLOUD_ARTIFACTS);
    assertThat(Bindings.nameOf(gceSpec())).isEqualTo("gce");
    assertThat(Bindings.nameOf(localSpec())).isEqualTo("local");
    assertThat(Bindings.of(local).bind(RESOLVERS).forSpec(gceSpec())).isEmpty();
    assertThatThrownBy(() -> Bindings.of(new TestingFleetProvider("aws"))).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void decoratingWrapsTheProviderAndKeepsTheRest() {
    TestingFleetProvider local = new TestingFleetProvider("local");
    FleetProvider wrapper = new TestingFleetProvider("local");
    for (Bindings b : List.of(Bindings.of(local).decorated(p -> wrapper).bind(RESOLVERS),
        Bindings.of(local).bind(RESOLVERS).decorated(p -> wrapper))) {
      ProviderBinding binding = b.forSpec(localSpec()).orElseThrow();
      assertThat(binding.provider()).isSameAs(wrapper);
      assertThat(binding.artifacts()).isSameAs(LOCAL_ARTIFACTS);
      assertThat(binding.name()).isEqualTo("local");
      assertThat(binding.settings(localSpec())).isEqualTo(LocalSettings.runtime("process"));
    }
  }

  @Test
  void gceSettingsComeFromTheSpecWithDefaultsInTheRecord() {
    GceBinding gce = new GceBinding(new TestingFleetProvider("gce"), CLOUD_ARTIFACTS);
    ProviderSpec spec = gceSpec();
    spec.gce.machineType = null;
    spec.gce.network = null;
    spec.gce.tags = List.of("web", " ");
    spec.gce.labels = Map.of("team", "platform");

    assertThat(gce.settings(spec)).isEqualTo(new GceSettings("my-project", "europe-west1-b", null,
        "e2-micro", "default", null, null, List.of("web"), Map.of("team", "platform")));
    assertThat(gce.settings(localSpec())).isEqualTo(GceSettings.at(null, null, null));
  }

  @Test
  void localSettingsComeFromTheSpecWithDefaultsInTheRecord() {
    LocalBinding local = new LocalBinding(new TestingFleetProvider("local"), LOCAL_ARTIFACTS);
    ProviderSpec spec = localSpec();
    spec.local.runtime = LocalProviderSpec.Runtime.qemu;
    spec.local.memoryMiB = 256;

    assertThat(local.settings(spec)).isEqualTo(new LocalSettings("qemu", 256, 1));
    assertThat(local.settings(new ProviderSpec())).isEqualTo(LocalSettings.DEFAULT);
    assertThat(LocalSettings.DEFAULT.memoryMiB()).isEqualTo(LocalSettings.DEFAULT_MEMORY_MIB);
  }

  @Test
  void imagesApplyThePortDefaultAndTheBindingsSettings() {
    GceBinding gce = new GceBinding(new TestingFleetProvider("gce"), CLOUD_ARTIFACTS);
    UnikernelRevision rev = revision(gceSpec());
    rev.getSpec().bootArgs = null;

    RevisionImage image = gce.image(rev, "gs://b/o.tar.gz", "a".repeat(64));

    assertThat(image.revision()).isEqualTo("hello-abc");
    assertThat(image.format()).isEqualTo("virtio");
    assertThat(image.port()).isEqualTo(RevisionImage.DEFAULT_PORT);
    assertThat(image.bootArgs()).isEmpty();
    assertThat(image.settings()).isEqualTo(gce.settings(gceSpec()));
    rev.getSpec().port = 9000;
    rev.getSpec().bootArgs = new ArrayList<>(List.of("-v"));
    assertThat(gce.image(rev, "gs://b/o.tar.gz", null)).extracting(RevisionImage::port, RevisionImage::bootArgs)
        .containsExactly(9000, List.of("-v"));
  }

  @Test
  void providersRefuseAnotherProvidersSettings(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
    assertThatThrownBy(() -> GceSettings.of(LocalSettings.DEFAULT))
        .isInstanceOfSatisfying(ProviderException.class, e -> {
          assertThat(e.reason()).isEqualTo(Reason.INVALID_GCE_SETTINGS);
          assertThat(e.retryable()).isFalse();
        });
    assertThatThrownBy(() -> LocalSettings.of(GceSettings.at("p", "z", null)))
        .isInstanceOfSatisfying(ProviderException.class, e -> {
          assertThat(e.reason()).isEqualTo(Reason.INVALID_LOCAL_SETTINGS);
          assertThat(e.retryable()).isFalse();
        });
    var local = new io.dustcloud.provider.local.LocalProvider(dir);
    try {
      RevisionImage gceImage = new RevisionImage("r1", "unix", "/bin/true", null, List.of(), 8080,
          GceSettings.at("p", "z", null));
      assertThatThrownBy(() -> local.realize(io.dustcloud.provider.DesiredFleet.single(new FleetId("d", "f"), gceImage, 1)))
          .isInstanceOfSatisfying(ProviderException.class, e -> {
            assertThat(e.reason()).isEqualTo(Reason.INVALID_LOCAL_SETTINGS);
            assertThat(e.retryable()).isFalse();
          });
      assertThat(local.unsupportedReason(gceImage)).contains("settings of another provider");
    } finally {
      local.close();
    }
  }

  private static ProviderSpec localSpec() {
    ProviderSpec spec = new ProviderSpec();
    spec.local = new LocalProviderSpec();
    return spec;
  }

  private static ProviderSpec gceSpec() {
    ProviderSpec spec = new ProviderSpec();
    spec.gce = new GceProviderSpec();
    spec.gce.project = "my-project";
    spec.gce.zone = "europe-west1-b";
    return spec;
  }

  private static UnikernelRevision revision(ProviderSpec provider) {
    UnikernelRevision rev = new UnikernelRevision();
    rev.setMetadata(new ObjectMetaBuilder().withName("hello-abc").withNamespace("default").build());
    UnikernelRevisionSpec spec = new UnikernelRevisionSpec();
    spec.image = new ImageSource();
    spec.image.format = ArtifactFormat.virtio;
    spec.provider = provider;
    rev.setSpec(spec);
    return rev;
  }
}
