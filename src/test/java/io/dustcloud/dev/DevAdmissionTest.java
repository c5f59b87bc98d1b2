package io.dustcloud.dev;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import io.dustcloud.api.CrdFiles;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;

import com.fasterxml.jackson.databind.JsonNode;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every write to the dev API server, through the operator's fabric8 client (and plain HTTP where a
 * query parameter or header matters), against the shipped CRDs: each is admitted as kube-apiserver
 * admits it, or refused with its status code, reason and message, and nothing is half-written.
 */
class DevAdmissionTest {

  private static final String API_VERSION = "dustcloud.io/v1alpha1";
  private static final String PATH = "/apis/dustcloud.io/v1alpha1/namespaces/default/unikernels/";
  private static DevApiServer server;
  private static KubernetesClient client;

  @BeforeAll
  static void start() {
    server = DevApiServer.start("127.0.0.1", 0);
    server.installCrds(CrdFiles.load());
    client = server.client();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  /** A valid Unikernel on the shipped CRD (the smallest spec the schema and its rules accept). */
  static String unikernel(String name, String namespace, String extraSpec) {
    return """
        {"apiVersion": "dustcloud.io/v1alpha1", "kind": "Unikernel",
         "metadata": {"name": "%s", "namespace": "%s"},
         "spec": {"image": {"url": "/x", "sha256": "%s"}, "provider": {"local": {}}%s}}
        """.formatted(name, namespace, "b".repeat(64), extraSpec.isEmpty() ? "" : ", " + extraSpec);
  }

  private static GenericKubernetesResource create(String name) {
    return client.resource(Serialization.unmarshal(unikernel(name, "default", ""), GenericKubernetesResource.class))
        .create();
  }

  private static Resource<GenericKubernetesResource> uk(String name) {
    return client.genericKubernetesResources(API_VERSION, "Unikernel").inNamespace("default").withName(name);
  }

  private static JsonNode json(GenericKubernetesResource r) {
    return Serialization.jsonMapper().valueToTree(r);
  }

  /** One invalid write: what it sends, and the start of the API server's message. */
  record BadWrite(String name, java.util.function.Consumer<Resource<GenericKubernetesResource>> write, int code,
      String message) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Arguments> invalidWrites() {
    String portAbc = "spec.port: Invalid value: \"string\": spec.port in body must be of type integer: \"string\"";
    String ready = "status.readyReplicas: Invalid value: \"string\": status.readyReplicas in body must be of type"
        + " integer: \"string\"";
    return Stream.of(
        new BadWrite("json patch replace spec.port with a string",
            r -> r.patch(PatchContext.of(PatchType.JSON), "[{\"op\":\"replace\",\"path\":\"/spec/port\",\"value\":\"abc\"}]"),
            422, portAbc),
        new BadWrite("merge patch of spec.port with a string",
            r -> r.patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"port\":\"abc\"}}"), 422, portAbc),
        new BadWrite("strategic merge patch of spec.port with a string",
            r -> r.patch(PatchContext.of(PatchType.STRATEGIC_MERGE), "{\"spec\":{\"port\":\"abc\"}}"), 422, portAbc),
        new BadWrite("apply patch of spec.port with a string",
            r -> r.patch(new PatchContext.Builder().withPatchType(PatchType.SERVER_SIDE_APPLY).withFieldManager("t")
                .withForce(true).build(), "{\"apiVersion\":\"dustcloud.io/v1alpha1\",\"kind\":\"Unikernel\","
                + "\"metadata\":{\"name\":\"" + r.get().getMetadata().getName() + "\"},\"spec\":{\"port\":\"abc\"}}"),
            422, portAbc),
        new BadWrite("json patch of the status with a string count",
            r -> r.subresource("status").patch(PatchContext.of(PatchType.JSON),
                "[{\"op\":\"add\",\"path\":\"/status\",\"value\":{\"readyReplicas\":\"many\"}}]"), 422, ready),
        new BadWrite("merge patch of the status with a string count",
            r -> r.subresource("status").patch(PatchContext.of(PatchType.JSON_MERGE),
                "{\"status\":{\"readyReplicas\":\"many\"}}"), 422, ready),
        new BadWrite("replace of the status with a string count",
            r -> client.resource(withStatus(r.get(), Map.of("readyReplicas", "many"))).updateStatus(), 422, ready),
        new BadWrite("json patch that cannot apply",
            r -> r.patch(PatchContext.of(PatchType.JSON), "[{\"op\":\"replace\",\"path\":\"/spec/nope/x\",\"value\":1}]"),
            422, "the server rejected our request due to an error in our request"),
        new BadWrite("malformed json patch",
            r -> r.patch(PatchContext.of(PatchType.JSON), "{\"op\":\"add\"}"), 400, "json: cannot unmarshal"),
        new BadWrite("3 MiB annotations by merge patch",
            r -> r.patch(PatchContext.of(PatchType.JSON_MERGE),
                "{\"metadata\":{\"annotations\":{\"big\":\"" + "x".repeat(3 << 20) + "\"}}}"),
            422, "metadata.annotations: Too long: must have at most 262144 bytes"),
        new BadWrite("3 MiB annotations by json patch",
            r -> r.patch(PatchContext.of(PatchType.JSON),
                "[{\"op\":\"add\",\"path\":\"/metadata/annotations\",\"value\":{\"big\":\"" + "x".repeat(3 << 20) + "\"}}]"),
            422, "metadata.annotations: Too long: must have at most 262144 bytes"),
        new BadWrite("scaling.target 0 (exclusiveMinimum) by merge patch",
            r -> r.patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"scaling\":{\"target\":0}}}"),
            422, "spec.scaling.target: Invalid value: 0: spec.scaling.target in body should be greater than 0"),
        new BadWrite("a label key with a space",
            r -> r.patch(PatchContext.of(PatchType.JSON_MERGE), "{\"metadata\":{\"labels\":{\"a b\":\"c\"}}}"),
            422, "metadata.labels: Invalid value: \"a b\": name part must consist of"))
        .map(Arguments::of);
  }

  private static GenericKubernetesResource withStatus(GenericKubernetesResource r, Map<String, Object> status) {
    r.setAdditionalProperty("status", status);
    return r;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidWrites")
  void everyWritePathIsAdmitted(BadWrite bad) {
    String name = "bad-" + Integer.toHexString(bad.name().hashCode());
    create(name);
    JsonNode before = json(uk(name).get());

    KubernetesClientException refused =
        catchThrowableOfType(() -> bad.write().accept(uk(name)), KubernetesClientException.class);

    assertThat(refused).as("refused").isNotNull();
    assertThat(refused.getCode()).as(refused.getMessage()).isEqualTo(bad.code());
    assertThat(refused.getStatus().getMessage()).contains(bad.message());
    assertThat(json(uk(name).get())).as("stored object unchanged").isEqualTo(before);
  }

  @Test
  void patchesPruneUnknownFieldsAndApplyDefaults() {
    create("pruned");
    uk("pruned").patch(PatchContext.of(PatchType.JSON),
        "[{\"op\":\"add\",\"path\":\"/spec/bogusField\",\"value\":\"x\"},{\"op\":\"remove\",\"path\":\"/spec/port\"}]");
    JsonNode spec = json(uk("pruned").get()).path("spec");
    assertThat(spec.has("bogusField")).isFalse();
    assertThat(spec.path("port").asInt()).as("defaulted again").isEqualTo(8080);

    uk("pruned").subresource("status").patch(PatchContext.of(PatchType.JSON_MERGE),
        "{\"status\":{\"readyReplicas\":2,\"bogus\":1}}");
    JsonNode status = json(uk("pruned").get()).path("status");
    assertThat(status.path("readyReplicas").asInt()).isEqualTo(2);
    assertThat(status.has("bogus")).isFalse();
  }

  @Test
  void statusWritesChangeOnlyTheStatusAndMainWritesNeverTheStatus() {
    GenericKubernetesResource created = create("split");
    GenericKubernetesResource statusWrite = uk("split").get();
    statusWrite.getMetadata().setLabels(Map.of("from", "status"));
    ((Map<String, Object>) statusWrite.getAdditionalProperties().get("spec")).put("port", 9999);
    client.resource(withStatus(statusWrite, Map.of("readyReplicas", 1))).updateStatus();
    JsonNode afterStatus = json(uk("split").get());
    assertThat(afterStatus.at("/status/readyReplicas").asInt()).isEqualTo(1);
    assertThat(afterStatus.at("/spec/port").asInt()).isEqualTo(8080);
    assertThat(afterStatus.at("/metadata/labels").isMissingNode()).isTrue();

    GenericKubernetesResource mainWrite = uk("split").get();
    client.resource(withStatus(mainWrite, Map.of("readyReplicas", 7))).update();
    assertThat(json(uk("split").get()).at("/status/readyReplicas").asInt()).isEqualTo(1);
    assertThat(created.getMetadata().getGeneration()).isEqualTo(1L);
  }

  @Test
  void undeclaredSubresourcesAreNotFound() throws Exception {
    create("unscaled");
    JsonNode before = json(uk("unscaled").get());
    for (String method : List.of("GET", "PUT", "PATCH")) {
      HttpResponse<String> response = send(method, PATH + "unscaled/scale", "application/merge-patch+json",
          "{\"spec\":{\"replicas\":3}}");
      assertThat(response.statusCode()).as(method + " " + response.body()).isEqualTo(404);
      JsonNode status = Responses.parse(response.body());
      assertThat(status.path("reason").asText()).isEqualTo("NotFound");
      assertThat(status.path("message").asText()).isEqualTo("unikernels.dustcloud.io \"unscaled\" not found");
    }
    assertThat(json(uk("unscaled").get())).isEqualTo(before);
  }

  @Test
  void namespacedObjectsNeedTheirNamespace() {
    var nope = Serialization.unmarshal(unikernel("lost", "nope", ""), GenericKubernetesResource.class);
    KubernetesClientException refused =
        catchThrowableOfType(() -> client.resource(nope).create(), KubernetesClientException.class);
    assertThat(refused.getCode()).isEqualTo(404);
    assertThat(refused.getStatus().getReason()).isEqualTo("NotFound");
    assertThat(refused.getStatus().getMessage()).isEqualTo("namespaces \"nope\" not found");
    KubernetesClientException configMap = catchThrowableOfType(() -> client.configMaps().inNamespace("nope")
        .resource(new ConfigMapBuilder().withNewMetadata().withName("c").endMetadata().build()).create(),
        KubernetesClientException.class);
    assertThat(configMap.getCode()).isEqualTo(404);

    client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("nope").endMetadata().build()).create();
    assertThat(client.resource(nope).create().getMetadata().getNamespace()).isEqualTo("nope");
    assertThat(client.namespaces().list().getItems()).extracting(n -> n.getMetadata().getName())
        .contains("default", "kube-system", "dustcloud-system", "nope");
  }

  @Test
  void annotationsUpToTheLimitAreAccepted() {
    GenericKubernetesResource r = Serialization.unmarshal(unikernel("annotated", "default", ""), GenericKubernetesResource.class);
    r.getMetadata().setAnnotations(Map.of("k", "x".repeat(MetadataRules.ANNOTATIONS_LIMIT_BYTES - 1)));
    assertThat(client.resource(r).create().getMetadata().getAnnotations()).containsKey("k");

    GenericKubernetesResource tooBig = Serialization.unmarshal(unikernel("annotated-2", "default", ""), GenericKubernetesResource.class);
    tooBig.getMetadata().setAnnotations(Map.of("k", "x".repeat(MetadataRules.ANNOTATIONS_LIMIT_BYTES)));
    KubernetesClientException refused =
        catchThrowableOfType(() -> client.resource(tooBig).create(), KubernetesClientException.class);
    assertThat(refused.getCode()).isEqualTo(422);
    assertThat(refused.getStatus().getMessage()).isEqualTo("Unikernel.dustcloud.io \"annotated-2\" is invalid:"
        + " metadata.annotations: Too long: must have at most 262144 bytes");
    assertThat(uk("annotated-2").get()).isNull();
  }

  @Test
  void exclusiveMinimumIsChecked() {
    var zero = Serialization.unmarshal(unikernel("target-zero", "default", "\"scaling\": {\"target\": 0}"),
        GenericKubernetesResource.class);
    KubernetesClientException refused =
        catchThrowableOfType(() -> client.resource(zero).create(), KubernetesClientException.class);
    assertThat(refused.getCode()).isEqualTo(422);
    assertThat(refused.getStatus().getDetails().getCauses()).extracting(c -> c.getField() + ": " + c.getMessage())
        .containsExactly("spec.scaling.target: Invalid value: 0: spec.scaling.target in body should be greater than 0");
    var small = Serialization.unmarshal(unikernel("target-small", "default", "\"scaling\": {\"target\": 0.5}"),
        GenericKubernetesResource.class);
    assertThat(client.resource(small).create()).isNotNull();
  }

  @Test
  void generationMovesOnlyWhenTheSpecDoes() throws Exception {
    GenericKubernetesResource created = client.resource(Serialization.unmarshal(
        unikernel("generations", "default", "\"scaling\": {}"), GenericKubernetesResource.class)).create();
    assertThat(created.getMetadata().getGeneration()).isEqualTo(1L);
    String rv = created.getMetadata().getResourceVersion();

    GenericKubernetesResource same = client.resource(uk("generations").get()).update();
    GenericKubernetesResource labelled = uk("generations").edit(r -> {
      r.getMetadata().setLabels(Map.of("a", "b"));
      return r;
    });
    GenericKubernetesResource statusWritten = uk("generations").subresource("status")
        .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"status\":{\"readyReplicas\":1}}");
    assertThat(List.of(same, labelled, statusWritten)).extracting(r -> r.getMetadata().getGeneration())
        .containsExactly(1L, 1L, 1L);
    // a replace that changes nothing is a no-op, as in kube-apiserver (nothing is written); every other write is
    assertThat(same.getMetadata().getResourceVersion()).isEqualTo(rv);
    assertThat(List.of(rv, labelled.getMetadata().getResourceVersion(),
        statusWritten.getMetadata().getResourceVersion())).doesNotHaveDuplicates();

    // kubectl get | kubectl replace: the defaults 2.0 and 10.0 come back as the 2 and 10 kubectl printed
    String printed = Serialization.asJson(uk("generations").get()).replaceAll("(\\d+)\\.0\\b", "$1");
    assertThat(printed).as("the stored defaults are doubles").isNotEqualTo(Serialization.asJson(uk("generations").get()));
    HttpResponse<String> replaced = send("PUT", PATH + "generations", "application/json", printed);
    assertThat(replaced.statusCode()).as(replaced.body()).isEqualTo(200);
    assertThat(Responses.parse(replaced.body()).at("/metadata/generation").asLong()).isEqualTo(1L);

    GenericKubernetesResource changed = uk("generations").patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"port\":9090}}");
    assertThat(changed.getMetadata().getGeneration()).isEqualTo(2L);
  }

  @Test
  void ownedObjectsAreCollectedAfterTheirOwnerIsGone() {
    GenericKubernetesResource owner = client.resource(Serialization.unmarshal(unikernel("owner", "default", ""),
        GenericKubernetesResource.class)).create();
    owner = uk("owner").edit(r -> {
      r.getMetadata().setFinalizers(List.of("dustcloud.io/cleanup"));
      return r;
    });
    GenericKubernetesResource revision = client.resource(Serialization.unmarshal("""
        {"apiVersion": "dustcloud.io/v1alpha1", "kind": "UnikernelRevision",
         "metadata": {"name": "owner-1", "namespace": "default",
                      "ownerReferences": [{"apiVersion": "dustcloud.io/v1alpha1", "kind": "Unikernel", "name": "owner",
                                           "uid": "%s", "controller": true, "blockOwnerDeletion": true}]},
         "spec": {"unikernel": "owner", "hash": "0123456789", "bootArgs": []}}
        """.formatted(owner.getMetadata().getUid()), GenericKubernetesResource.class)).create();
    ConfigMap grandchild = client.configMaps().inNamespace("default").resource(new ConfigMapBuilder()
        .withNewMetadata().withName("owner-1-data").addNewOwnerReference().withApiVersion(API_VERSION)
        .withKind("UnikernelRevision").withName("owner-1").withUid(revision.getMetadata().getUid()).endOwnerReference()
        .endMetadata().build()).create();
    ConfigMap bystander = client.configMaps().inNamespace("default").resource(new ConfigMapBuilder()
        .withNewMetadata().withName("bystander").endMetadata().build()).create();

    uk("owner").delete();
    assertThat(revisions("owner-1")).as("kept while the owner's finalizer is there").isNotNull();

    uk("owner").edit(r -> {
      r.getMetadata().setFinalizers(List.of());
      return r;
    });
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      assertThat(uk("owner").get()).isNull();
      assertThat(revisions("owner-1")).isNull();
      assertThat(client.configMaps().inNamespace("default").withName(grandchild.getMetadata().getName()).get()).isNull();
    });
    assertThat(client.configMaps().inNamespace("default").withName(bystander.getMetadata().getName()).get()).isNotNull();
  }

  @Test
  void anOrphaningDeleteLeavesTheDependents() {
    GenericKubernetesResource owner = create("orphaner");
    ConfigMap dependent = client.configMaps().inNamespace("default").resource(new ConfigMapBuilder()
        .withNewMetadata().withName("orphan").addNewOwnerReference().withApiVersion(API_VERSION).withKind("Unikernel")
        .withName("orphaner").withUid(owner.getMetadata().getUid()).endOwnerReference().endMetadata().build()).create();

    uk("orphaner").withPropagationPolicy(io.fabric8.kubernetes.api.model.DeletionPropagation.ORPHAN).delete();

    assertThat(uk("orphaner").get()).isNull();
    assertThat(client.configMaps().inNamespace("default").withName(dependent.getMetadata().getName()).get()).isNotNull();
  }

  @Test
  void aReplaceFromAStaleReadIsAConflict() {
    GenericKubernetesResource stale = create("stale");
    uk("stale").patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"port\":9091}}");
    KubernetesClientException refused =
        catchThrowableOfType(() -> client.resource(stale).update(), KubernetesClientException.class);
    assertThat(refused.getCode()).isEqualTo(409);
    assertThat(refused.getStatus().getReason()).isEqualTo("Conflict");
    assertThat(refused.getStatus().getMessage()).isEqualTo("Operation cannot be fulfilled on unikernels.dustcloud.io"
        + " \"stale\": the object has been modified; please apply your changes to the latest version and try again");
  }

  private static GenericKubernetesResource revisions(String name) {
    return client.genericKubernetesResources(API_VERSION, "UnikernelRevision").inNamespace("default").withName(name).get();
  }

  /** fieldValidation as kubectl sends it: Strict refuses unknown fields, Warn (the default) stores pruned and warns, Ignore prunes. */
  @Test
  void fieldValidationDecidesWhatUnknownFieldsDo() throws Exception {
    String bogus = "\"bogus\": 1";
    HttpResponse<String> strict = send("POST", PATH.substring(0, PATH.length() - 1) + "?fieldValidation=Strict",
        "application/json", unikernel("strict", "default", bogus));
    assertThat(strict.statusCode()).as(strict.body()).isEqualTo(400);
    assertThat(Responses.parse(strict.body()).path("message").asText()).isEqualTo("Unikernel in version \"v1alpha1\""
        + " cannot be handled as a Unikernel: strict decoding error: unknown field \"spec.bogus\"");
    assertThat(uk("strict").get()).isNull();

    HttpResponse<String> warn = send("POST", PATH.substring(0, PATH.length() - 1) + "?fieldValidation=Warn",
        "application/json", unikernel("warned", "default", bogus));
    assertThat(warn.statusCode()).as(warn.body()).isEqualTo(201);
    assertThat(warn.headers().allValues("Warning")).containsExactly("299 - \"unknown field \\\"spec.bogus\\\"\"");
    assertThat(json(uk("warned").get()).path("spec").has("bogus")).isFalse();

    HttpResponse<String> ignore = send("POST", PATH.substring(0, PATH.length() - 1) + "?fieldValidation=Ignore",
        "application/json", unikernel("ignored", "default", bogus));
    assertThat(ignore.statusCode()).isEqualTo(201);
    assertThat(ignore.headers().allValues("Warning")).isEmpty();

    HttpResponse<String> absent = send("POST", PATH.substring(0, PATH.length() - 1), "application/json",
        unikernel("defaulted", "default", bogus));
    assertThat(absent.statusCode()).isEqualTo(201);
    assertThat(absent.headers().allValues("Warning")).as("Warn is the default").hasSize(1);

    String twice = unikernel("twice", "default", "").replace("\"provider\"", "\"port\": 1, \"port\": 2, \"provider\"");
    HttpResponse<String> duplicate = send("POST", PATH.substring(0, PATH.length() - 1) + "?fieldValidation=Strict",
        "application/json", twice);
    assertThat(duplicate.statusCode()).as(duplicate.body()).isEqualTo(400);
    assertThat(Responses.parse(duplicate.body()).path("message").asText())
        .endsWith("strict decoding error: duplicate field \"spec.port\"");

    HttpResponse<String> strictPatch = send("PATCH", PATH + "ignored?fieldValidation=Strict",
        "application/json-patch+json", "[{\"op\":\"add\",\"path\":\"/spec/bogusField\",\"value\":\"x\"}]");
    assertThat(strictPatch.statusCode()).as(strictPatch.body()).isEqualTo(400);
    assertThat(Responses.parse(strictPatch.body()).path("message").asText())
        .endsWith("strict decoding error: unknown field \"spec.bogusField\"");
  }

  private static HttpResponse<String> send(String method, String path, String contentType, String body) throws Exception {
    HttpRequest.Builder request = DevHttp.request(server, path).header("Content-Type", contentType);
    request = method.equals("GET") ? request.GET() : request.method(method, HttpRequest.BodyPublishers.ofString(body));
    return DevHttp.client(server).send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
