package io.dustcloud.testing;

import io.dustcloud.api.v1alpha1.ImageSource;
import io.dustcloud.api.v1alpha1.LocalProviderSpec;
import io.dustcloud.api.v1alpha1.ProviderSpec;
import io.dustcloud.api.v1alpha1.Unikernel;
import io.dustcloud.api.v1alpha1.UnikernelSpec;
import io.dustcloud.build.LocalArtifactStore;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;

/** Builders for test Unikernels. */
public final class Unikernels {
  private Unikernels() {}

  /** A local-provider Unikernel running the prebuilt file {@code artifact}. */
  public static Unikernel local(String namespace, String name, Path artifact, int replicas, String... bootArgs) {
    Unikernel uk = new Unikernel();
    uk.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(namespace).build());
    UnikernelSpec spec = new UnikernelSpec();
    spec.image = new ImageSource();
    spec.image.url = artifact.toAbsolutePath().toString();
    spec.image.sha256 = sha256(artifact);
    spec.provider = new ProviderSpec();
    spec.provider.local = new LocalProviderSpec();
    spec.scaling.minReplicas = replicas;
    spec.bootArgs = List.of(bootArgs);
    spec.healthCheck.periodSeconds = 1;
    uk.setSpec(spec);
    return uk;
  }

  /** A gce-provider Unikernel running a prebuilt virtio image from Cloud Storage. */
  public static Unikernel gce(String namespace, String name, String project, String zone, int replicas) {
    Unikernel uk = new Unikernel();
    uk.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(namespace).build());
    UnikernelSpec spec = new UnikernelSpec();
    spec.image = new ImageSource();
    spec.image.url = "gs://dustcloud-test/" + name + ".tar.gz";
    spec.image.sha256 = "0".repeat(64); // what the Compute fake's test bucket records for its objects
    spec.image.format = io.dustcloud.api.v1alpha1.ArtifactFormat.virtio;
    spec.provider = new ProviderSpec();
    spec.provider.gce = new io.dustcloud.api.v1alpha1.GceProviderSpec();
    spec.provider.gce.project = project;
    spec.provider.gce.zone = zone;
    // leaving instances drain for 1 s (30 s by default): tests wait for them to go
    spec.provider.gce.loadBalancer = new io.dustcloud.api.v1alpha1.LoadBalancerSpec();
    spec.provider.gce.loadBalancer.drainingSeconds = 1;
    spec.scaling.minReplicas = replicas;
    spec.healthCheck.periodSeconds = 1;
    uk.setSpec(spec);
    return uk;
  }

  /**
   * Writes {@code uk}'s spec as a user would: on a conflict with the operator's status writes
   * (the object's resourceVersion moved on), the spec is re-applied to the fresh object.
   */
  public static Unikernel update(io.fabric8.kubernetes.client.KubernetesClient client, Unikernel uk) {
    for (int attempt = 0; ; attempt++) {
      try {
        return client.resource(uk).update();
      } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
        if (e.getCode() != 409 || attempt >= 20) {
          throw e;
        }
        Unikernel fresh = client.resources(Unikernel.class).inNamespace(uk.getMetadata().getNamespace())
            .withName(uk.getMetadata().getName()).get();
        fresh.setSpec(uk.getSpec());
        uk = fresh;
      }
    }
  }

  public static String sha256(Path file) {
    try {
      return LocalArtifactStore.sha256(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
