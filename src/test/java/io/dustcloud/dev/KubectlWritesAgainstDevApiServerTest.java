package io.dustcloud.dev;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;

import com.fasterxml.jackson.databind.JsonNode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The writes of issue 15 with the real kubectl against the dev API server and the shipped CRDs:
 * each is answered as kube-apiserver answers it, and what kubectl prints is what it prints
 * against a cluster.
 */
class KubectlWritesAgainstDevApiServerTest {

  @TempDir
  static Path dir;

  private static KubectlFixture fixture;
  private static KubernetesClient client;
  private static Kubectl kubectl;

  @BeforeAll
  static void start() {
    fixture = KubectlFixture.start(dir);
    client = fixture.client;
    kubectl = fixture.kubectl;
  }

  @AfterAll
  static void stop() {
    if (fixture != null) {
      fixture.close();
    }
  }

  /** One kubectl write: its arguments (NAME is the object's name), its exit code, what it must print. */
  record Write(String name, String[] args, int exitCode, String printed) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Arguments> writes() {
    String invalid = "The Unikernel \"NAME\" is invalid: ";
    return Stream.of(
        new Write("scale without a scale subresource", new String[] {"scale", "uk", "NAME", "--replicas=3"}, 1,
            "Error from server (NotFound): unikernels.dustcloud.io \"NAME\" not found"),
        new Write("json patch adding an unknown field",
            new String[] {"patch", "uk", "NAME", "--type", "json", "-p",
                "[{\"op\":\"add\",\"path\":\"/spec/bogusField\",\"value\":\"x\"}]"}, 0,
            "Warning: unknown field \"spec.bogusField\""),
        new Write("json patch replacing spec.port with a string",
            new String[] {"patch", "uk", "NAME", "--type", "json", "-p",
                "[{\"op\":\"replace\",\"path\":\"/spec/port\",\"value\":\"abc\"}]"}, 1,
            invalid + "spec.port: Invalid value: \"string\": spec.port in body must be of type integer: \"string\""),
        new Write("merge patch of the status with a string count",
            new String[] {"patch", "uk", "NAME", "--subresource=status", "--type", "merge", "-p",
                "{\"status\":{\"readyReplicas\":\"many\"}}"}, 1,
            invalid + "status.readyReplicas: Invalid value: \"string\": status.readyReplicas in body must be of type"
                + " integer: \"string\""),
        new Write("merge patch of scaling.target 0",
            new String[] {"patch", "uk", "NAME", "--type", "merge", "-p", "{\"spec\":{\"scaling\":{\"target\":0}}}"}, 1,
            invalid + "spec.scaling.target: Invalid value: 0: spec.scaling.target in body should be greater than 0"),
        new Write("strategic merge patch (kubectl's default) of spec.port with a string",
            new String[] {"patch", "uk", "NAME", "-p", "{\"spec\":{\"port\":\"abc\"}}"}, 1,
            invalid + "spec.port: Invalid value: \"string\""))
        .map(Arguments::of);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("writes")
  void writesAreAnsweredAsByACluster(Write write) {
    String name = "k-" + Integer.toHexString(write.name().hashCode());
    client.resource(Serialization.unmarshal(DevAdmissionTest.unikernel(name, "default", ""),
        GenericKubernetesResource.class)).create();
    JsonNode before = stored(name);

    String[] args = Stream.of(write.args()).map(a -> a.equals("NAME") ? name : a).toArray(String[]::new);
    Kubectl.Result result = kubectl.run(args);

    assertThat(result.exitCode()).as(result.toString()).isEqualTo(write.exitCode());
    assertThat(result.stderr()).as(result.toString()).contains(write.printed().replace("NAME", name));
    JsonNode after = stored(name);
    assertThat(after.path("spec")).as("spec unchanged").isEqualTo(before.path("spec"));
    assertThat(after.path("status")).as("status unchanged").isEqualTo(before.path("status"));
    assertThat(after.at("/metadata/generation").asLong()).isEqualTo(1L);
  }

  @Test
  void namespacesMustExistAndCanBeCreated() throws Exception {
    Path configMap = Files.writeString(dir.resolve("cm.yaml"), """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: c
          namespace: elsewhere
        """);
    Kubectl.Result refused = kubectl.run("apply", "--validate=false", "-f", configMap.toString());
    assertThat(refused.exitCode()).isEqualTo(1);
    assertThat(refused.stderr()).contains("Error from server (NotFound)", "namespaces \"elsewhere\" not found");

    Path namespace = Files.writeString(dir.resolve("ns.yaml"), """
        apiVersion: v1
        kind: Namespace
        metadata:
          name: elsewhere
        """);
    assertThat(kubectl.ok("create", "--validate=false", "-f", namespace.toString())).contains("namespace/elsewhere created");
    assertThat(kubectl.ok("apply", "--validate=false", "-f", configMap.toString())).contains("configmap/c created");
  }

  private static JsonNode stored(String name) {
    return Serialization.jsonMapper().valueToTree(client.genericKubernetesResources("dustcloud.io/v1alpha1", "Unikernel")
        .inNamespace("default").withName(name).get());
  }
}
