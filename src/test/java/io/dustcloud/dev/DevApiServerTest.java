package io.dustcloud.dev;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;

import com.fasterxml.jackson.databind.JsonNode;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The dev API server through the operator's fabric8 client and plain HTTP. */
class DevApiServerTest {

  private static DevApiServer server;
  private static KubernetesClient client;
  private static HttpClient http;

  @BeforeAll
  static void start() {
    server = TestUnikernels.startServerWithCrd();
    client = server.client();
    http = DevHttp.client(server);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void discoveryIsBuiltFromTheStoredCrds() throws Exception {
    JsonNode resources = getJson("/apis/dustcloud.io/v1alpha1", "application/json");
    assertThat(resources.path("groupVersion").asText()).isEqualTo("dustcloud.io/v1alpha1");
    JsonNode unikernels = find(resources.path("resources"), "unikernels");
    assertThat(unikernels.path("kind").asText()).isEqualTo("Unikernel");
    assertThat(unikernels.path("singularName").asText()).isEqualTo("unikernel");
    assertThat(unikernels.path("namespaced").asBoolean()).isTrue();
    assertThat(unikernels.path("shortNames").toString()).isEqualTo("[\"uk\"]");
    assertThat(find(resources.path("resources"), "unikernels/status").path("verbs").toString()).contains("update");
  }

  @Test
  void aggregatedDiscoveryRequestsGetLegacyJson() throws Exception {
    HttpResponse<String> response = get("/apis",
        "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json");
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
    JsonNode groups = Responses.parse(response.body());
    assertThat(groups.path("kind").asText()).isEqualTo("APIGroupList");
    assertThat(groups.path("groups").findValuesAsText("name"))
        .contains("dustcloud.io", "apiextensions.k8s.io", "coordination.k8s.io", "apps", "batch", "events.k8s.io");
  }

  @Test
  void customResourcesAreServedAtTheirPlural() throws Exception {
    TestUnikernels.create(client, "served", "hello:1");
    JsonNode list = getJson(TestUnikernels.COLLECTION, "application/json");
    assertThat(list.path("kind").asText()).isEqualTo("UnikernelList");
    assertThat(list.path("items").findValuesAsText("name")).contains("served");
  }

  @Test
  void tableOutputCarriesPrinterColumns() throws Exception {
    GenericKubernetesResource uk = TestUnikernels.create(client, "tabled", "hello:1");
    uk.setAdditionalProperty("status", TestUnikernels.readyStatus("2", "rev-1"));
    client.resource(uk).updateStatus();

    JsonNode table = getJson(TestUnikernels.COLLECTION + "/tabled",
        "application/json;as=Table;v=v1;g=meta.k8s.io,application/json");
    assertThat(table.path("kind").asText()).isEqualTo("Table");
    assertThat(table.path("columnDefinitions").findValuesAsText("name"))
        .containsExactly("Name", "Ready", "Replicas", "Revision", "Age");
    JsonNode row = table.path("rows").get(0);
    assertThat(row.path("cells").get(0).asText()).isEqualTo("tabled");
    assertThat(row.path("cells").get(1).asText()).isEqualTo("True");
    assertThat(row.path("object").path("kind").asText()).isEqualTo("PartialObjectMetadata");
  }

  @Test
  void statusUpdatesAndPatchesReachTheStatusOnly() {
    GenericKubernetesResource uk = TestUnikernels.create(client, "status", "hello:1");
    uk.setAdditionalProperty("status", Map.of("replicas", "1"));
    client.resource(uk).updateStatus();
    assertThat(status(TestUnikernels.get(client, "status"))).containsEntry("replicas", "1");

    GenericKubernetesResource patch = TestUnikernels.get(client, "status");
    patch.setAdditionalProperty("status", Map.of("replicas", "2", "currentRevision", "r2"));
    client.resource(patch).patchStatus();
    GenericKubernetesResource stored = TestUnikernels.get(client, "status");
    assertThat(status(stored)).containsEntry("replicas", "2").containsEntry("currentRevision", "r2");
    assertThat(stored.getAdditionalProperties().get("spec").toString()).contains("hello:1");
  }

  @Test
  void statusWriteWithQueryStringUpdatesTheStatus() throws Exception {
    GenericKubernetesResource uk = TestUnikernels.create(client, "status-query", "hello:1");
    uk.setAdditionalProperty("status", Map.of("replicas", "5"));
    HttpResponse<String> response = http.send(DevHttp.request(server,
        TestUnikernels.COLLECTION + "/status-query/status?fieldManager=dustcloud")
        .header("Content-Type", "application/json")
        .PUT(HttpRequest.BodyPublishers.ofString(client.getKubernetesSerialization().asJson(uk))).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(status(TestUnikernels.get(client, "status-query"))).containsEntry("replicas", "5");
  }

  @Test
  void eventsCanBeSelectedByInvolvedObject() {
    GenericKubernetesResource a = TestUnikernels.createWithEvent(client, "event-a", "AEvent");
    TestUnikernels.createWithEvent(client, "event-b", "BEvent");

    var events = client.v1().events().inNamespace("default")
        .withField("involvedObject.name", "event-a").withField("involvedObject.uid", a.getMetadata().getUid())
        .list().getItems();
    assertThat(events).extracting(e -> e.getReason()).containsExactly("AEvent");
  }

  @Test
  void websocketWatchFromTheClientReceivesEvents() {
    List<String> seen = new CopyOnWriteArrayList<>();
    try (Watch ignored = client.genericKubernetesResources(TestUnikernels.API_VERSION, TestUnikernels.KIND)
        .inNamespace("default").withName("watched").watch(new Watcher<>() {
          @Override
          public void eventReceived(Action action, GenericKubernetesResource resource) {
            seen.add(action + " " + resource.getMetadata().getName());
          }

          @Override
          public void onClose(WatcherException cause) {
          }
        })) {
      TestUnikernels.create(client, "watched", "hello:1");
      client.resource(TestUnikernels.get(client, "watched")).delete();
      await().atMost(Duration.ofSeconds(5)).until(() -> seen.contains("DELETED watched"));
      assertThat(seen).containsExactly("ADDED watched", "DELETED watched");
    }
  }

  @Test
  void httpWatchReturnsChangesAfterItsResourceVersion() throws Exception {
    String since = getJson(TestUnikernels.COLLECTION, "application/json").path("metadata").path("resourceVersion").asText();
    TestUnikernels.create(client, "http-watched", "hello:1");

    // timeoutSeconds ends the stream, so the whole body can be read.
    HttpResponse<String> watch = get(TestUnikernels.COLLECTION + "?watch=true&timeoutSeconds=1"
        + "&fieldSelector=metadata.name%3Dhttp-watched&resourceVersion=" + since, "application/json");
    List<JsonNode> events = watch.body().lines().map(Responses::parse).toList();
    assertThat(events).extracting(e -> e.path("type").asText()).containsExactly("ADDED");
    assertThat(events.get(0).path("object").path("metadata").path("name").asText()).isEqualTo("http-watched");
  }

  @Test
  void anHttpWatchStaysOpenAndStreamsChangesUntilItsTimeout() throws Exception {
    String now = getJson(TestUnikernels.COLLECTION, "application/json").path("metadata").path("resourceVersion").asText();
    // The headers come at once; the events as they happen.
    HttpResponse<java.util.stream.Stream<String>> watch = http.send(request(TestUnikernels.COLLECTION
        + "?watch=true&timeoutSeconds=5&fieldSelector=metadata.name%3Dstreamed&resourceVersion=" + now,
        "application/json"), HttpResponse.BodyHandlers.ofLines());
    assertThat(watch.statusCode()).isEqualTo(200);

    // The server is single-threaded (one Vert.x event loop): if the open watch blocked it, this would wait too.
    HttpResponse<String> version = get("/version", "application/json");
    assertThat(Responses.parse(version.body()).path("gitVersion").asText()).isEqualTo("v1.32.0-dustcloud-dev");

    // Made after the watch was answered: a watch that had to be answered whole could never carry it.
    TestUnikernels.create(client, "streamed", "hello:1");
    client.resource(TestUnikernels.get(client, "streamed")).delete();
    // Ends when timeoutSeconds pass, as on a real API server.
    List<JsonNode> events = watch.body().map(Responses::parse).toList();
    assertThat(events).extracting(e -> e.path("type").asText() + " " + e.path("object").path("metadata").path("name")
        .asText()).containsExactly("ADDED streamed", "DELETED streamed");
  }

  @Test
  void aWatchTimeoutThatIsNoNumberIsRefused() throws Exception {
    HttpResponse<String> watch = get(TestUnikernels.COLLECTION + "?watch=true&timeoutSeconds=soon", "application/json");
    assertThat(watch.statusCode()).isEqualTo(400);
    assertThat(Responses.parse(watch.body()).path("message").asText())
        .isEqualTo("timeoutSeconds must be a whole number of seconds, not \"soon\"");
  }

  @Test
  void kubectlGetWatchesReceiveTableRows() throws Exception {
    String now = getJson(TestUnikernels.COLLECTION, "application/json").path("metadata").path("resourceVersion").asText();
    TestUnikernels.create(client, "table-watched", "hello:1");
    HttpResponse<String> watch = get(TestUnikernels.COLLECTION + "?watch=true&timeoutSeconds=1"
        + "&fieldSelector=metadata.name%3Dtable-watched&resourceVersion=" + now,
        "application/json;as=Table;v=v1;g=meta.k8s.io,application/json");
    JsonNode table = Responses.parse(watch.body().lines().findFirst().orElseThrow()).path("object");
    assertThat(table.path("kind").asText()).isEqualTo("Table");
    assertThat(table.path("columnDefinitions").findValuesAsText("name")).startsWith("Name", "Ready");
    assertThat(table.path("rows").get(0).path("cells").get(0).asText()).isEqualTo("table-watched");
  }

  @Test
  void openApiV3IndexesEachGroupVersion() throws Exception {
    JsonNode paths = getJson("/openapi/v3", "application/json").path("paths");
    assertThat(paths.path("api/v1").path("serverRelativeURL").asText()).startsWith("/openapi/v3/api/v1?hash=");
    String url = paths.path("apis/dustcloud.io/v1alpha1").path("serverRelativeURL").asText();
    assertThat(url).startsWith("/openapi/v3/apis/dustcloud.io/v1alpha1?hash=");

    JsonNode document = getJson(url, "application/json");
    JsonNode unikernel = document.path("components").path("schemas").path("io.dustcloud.v1alpha1.Unikernel");
    assertThat(unikernel.path("x-kubernetes-group-version-kind").get(0).path("kind").asText()).isEqualTo("Unikernel");
    assertThat(unikernel.path("x-kubernetes-preserve-unknown-fields").asBoolean()).as("the CRD's schema").isTrue();
    assertThat(unikernel.path("properties").path("metadata").path("allOf").get(0).path("$ref").asText())
        .isEqualTo("#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta");
    // kubectl validates on the server when the kind's PATCH takes fieldValidation.
    JsonNode patch = document.path("paths").path("/apis/dustcloud.io/v1alpha1/namespaces/{namespace}/unikernels/{name}")
        .path("patch");
    assertThat(patch.path("x-kubernetes-group-version-kind").path("kind").asText()).isEqualTo("Unikernel");
    assertThat(patch.path("parameters").findValuesAsText("name")).contains("fieldValidation");
  }

  @Test
  void openApiV2HasNoDefinitionsAndComesAsProtobufToKubectl() throws Exception {
    JsonNode json = getJson("/openapi/v2", "application/json");
    assertThat(json.path("swagger").asText()).isEqualTo("2.0");
    assertThat(json.path("definitions").isEmpty()).isTrue();

    HttpResponse<byte[]> protobuf = http.send(DevHttp.request(server, "/openapi/v2")
        .header("Accept", "application/com.github.proto-openapi.spec.v2@v1.0+protobuf").GET().build(),
        HttpResponse.BodyHandlers.ofByteArray());
    assertThat(protobuf.headers().firstValue("Content-Type"))
        .hasValue("application/com.github.proto-openapi.spec.v2.v1.0+protobuf");
    // Field 1 (swagger) = "2.0", then field 2 (info): title and version.
    assertThat(protobuf.body()).startsWith(0x0a, 3, '2', '.', '0', 0x12);
  }

  @Test
  void openApiV3OfAnUnknownGroupVersionIsNotFound() throws Exception {
    assertThat(get("/openapi/v3/apis/no.such.group/v1", "application/json").statusCode()).isEqualTo(404);
  }

  @Test
  void kubeconfigNamesTheServer(@TempDir Path dir) throws Exception {
    String kubeconfig = Files.readString(server.writeKubeconfig(dir.resolve("config")));
    assertThat(kubeconfig).contains("server: " + server.url(), "current-context: dustcloud-dev", "namespace: default");
  }

  private static Map<String, Object> status(GenericKubernetesResource resource) {
    return TestUnikernels.section(resource, "status");
  }

  private static JsonNode find(JsonNode resources, String name) {
    for (JsonNode r : resources) {
      if (r.path("name").asText().equals(name)) {
        return r;
      }
    }
    throw new AssertionError("no resource " + name + " in " + resources);
  }

  private static JsonNode getJson(String path, String accept) throws Exception {
    HttpResponse<String> response = get(path, accept);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return Responses.parse(response.body());
  }

  private static HttpResponse<String> get(String path, String accept) throws Exception {
    return http.send(request(path, accept), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpRequest request(String path, String accept) {
    return DevHttp.request(server, path).header("Accept", accept).GET().build();
  }
}
