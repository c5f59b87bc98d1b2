package io.dustcloud.dev;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;

import java.io.InputStream;
import java.util.List;
import java.util.Map;

/** Test fixtures: a dev API server with the Unikernel CRD, and Unikernel objects made with the fabric8 client. */
final class TestUnikernels {

  static final String API_VERSION = "dustcloud.io/v1alpha1";
  static final String KIND = "Unikernel";
  static final String COLLECTION = "/apis/dustcloud.io/v1alpha1/namespaces/default/unikernels";

  private TestUnikernels() {
  }

  static DevApiServer startServerWithCrd() {
    DevApiServer server = DevApiServer.start("127.0.0.1", 0);
    try (InputStream crd = TestUnikernels.class.getResourceAsStream("/dev/unikernel-crd.yaml")) {
      server.installCrds(crd);
    } catch (Exception e) {
      server.close();
      throw new IllegalStateException(e);
    }
    return server;
  }

  static GenericKubernetesResource unikernel(String name, String image, String... finalizers) {
    return new GenericKubernetesResourceBuilder()
        .withApiVersion(API_VERSION).withKind(KIND)
        .withNewMetadata().withName(name).withNamespace("default").withFinalizers(finalizers).endMetadata()
        .addToAdditionalProperties("spec", Map.of("image", image))
        .build();
  }

  static GenericKubernetesResource create(KubernetesClient client, String name, String image, String... finalizers) {
    return client.resource(unikernel(name, image, finalizers)).create();
  }

  static GenericKubernetesResource get(KubernetesClient client, String name) {
    return client.genericKubernetesResources(API_VERSION, KIND).inNamespace("default").withName(name).get();
  }

  static Map<String, Object> readyStatus(String replicas, String revision) {
    return Map.of(
        "replicas", Integer.parseInt(replicas),
        "currentRevision", revision,
        "conditions", List.of(Map.of("type", "Progressing", "status", "False"), Map.of("type", "Ready", "status", "True")));
  }

  /** A new Unikernel with one event about it recorded. */
  static GenericKubernetesResource createWithEvent(KubernetesClient client, String name, String eventReason) {
    GenericKubernetesResource created = create(client, name, "hello:1");
    recordEvent(client, created, eventReason);
    return created;
  }

  /** A top-level object field such as spec or status, as a map. */
  @SuppressWarnings("unchecked")
  static Map<String, Object> section(GenericKubernetesResource resource, String name) {
    return (Map<String, Object>) resource.getAdditionalProperties().get(name);
  }

  /** An event about the given object, as the operator would record it. */
  static void recordEvent(KubernetesClient client, GenericKubernetesResource about, String reason) {
    client.v1().events().inNamespace("default").resource(new EventBuilder()
        .withNewMetadata().withName(about.getMetadata().getName() + "." + reason.toLowerCase()).endMetadata()
        .withNewInvolvedObject()
        .withApiVersion(API_VERSION).withKind(KIND).withNamespace("default")
        .withName(about.getMetadata().getName()).withUid(about.getMetadata().getUid())
        .endInvolvedObject()
        .withReason(reason).withMessage(reason + " happened").withType("Normal")
        .build()).create();
  }
}
