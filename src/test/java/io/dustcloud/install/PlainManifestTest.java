package io.dustcloud.install;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * {@code operator/operator.yaml} is the chart rendered with its default values (release
 * {@value Charts#RELEASE} in {@value Charts#NAMESPACE}), plus the Namespace and the CRDs, without
 * Helm's bookkeeping labels. Regenerate with
 * {@code mvn test -Dtest=PlainManifestTest -Ddustcloud.writeManifests=true}.
 */
class PlainManifestTest {
  static final Path PLAIN = Path.of("operator", "operator.yaml");
  static final List<String> HELM_LABELS = List.of("helm.sh/chart", "app.kubernetes.io/managed-by");

  @Test
  void operatorYamlHasTheSameObjectsAsTheChartDefaults() throws IOException {
    String expected = generate();
    if (Boolean.getBoolean("dustcloud.writeManifests")) {
      Files.writeString(PLAIN, expected);
    }
    List<JsonNode> plain = Charts.documents(Files.readString(PLAIN));
    List<JsonNode> chart = new ArrayList<>(Charts.documents(Charts.render("")).stream().map(PlainManifestTest::plain).toList());
    assertThat(plain.get(0).get("kind").asText()).isEqualTo("Namespace");
    assertThat(plain.get(0).at("/metadata/name").asText()).isEqualTo(Charts.NAMESPACE);
    assertThat(Charts.ofKind(plain, "CustomResourceDefinition")).containsExactlyElementsOf(crds());
    List<JsonNode> rest = plain.stream()
        .filter(d -> !List.of("Namespace", "CustomResourceDefinition").contains(d.get("kind").asText())).toList();
    // same kinds, names, RBAC rules, container spec: the whole objects are compared
    assertThat(rest)
        .as("operator/operator.yaml is stale: mvn test -Dtest=PlainManifestTest -Ddustcloud.writeManifests=true")
        .containsExactlyInAnyOrderElementsOf(chart);
    Deployment d = Charts.one(rest, "Deployment", Deployment.class);
    assertThat(d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
        .startsWith("ghcr.io/dustcloud/dustcloud-operator:");
  }

  @Test
  void dockerfileRunsTheJarAsANonRootUserOnAJre() throws IOException {
    List<String> lines = Files.readAllLines(Path.of("operator", "Dockerfile")).stream()
        .map(String::trim).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
    List<String> from = lines.stream().filter(l -> l.startsWith("FROM ")).toList();
    assertThat(from).last().asString().contains("-jre").doesNotContain("jdk");
    String user = lines.stream().filter(l -> l.startsWith("USER ")).reduce((a, b) -> b).orElseThrow();
    assertThat(user.substring(5).split(":")[0]).as("numeric, non-root UID").matches("[1-9][0-9]*");
    assertThat(lines).contains("ENTRYPOINT [\"java\", \"-jar\", \"/app/dustcloud.jar\", \"run\"]");
    assertThat(lines).anyMatch(l -> l.startsWith("COPY") && l.contains("target/dustcloud.jar"));
    assertThat(String.join("\n", lines)).contains("MaxRAMPercentage");
    // the chart's pod security context runs the same UID
    Deployment dep = Charts.one(Charts.documents(Charts.render("")), "Deployment", Deployment.class);
    assertThat(dep.getSpec().getTemplate().getSpec().getSecurityContext().getRunAsUser())
        .isEqualTo(Long.parseLong(user.substring(5).split(":")[0]));
  }

  static String generate() throws IOException {
    StringBuilder out = new StringBuilder();
    out.append("# Dustcloud operator, plain install: kubectl apply --server-side -f operator/operator.yaml\n")
        .append("# Generated from helm/dustcloud with its default values by PlainManifestTest; do not edit.\n")
        .append("# Regenerate: mvn test -Dtest=PlainManifestTest -Ddustcloud.writeManifests=true\n")
        .append("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ").append(Charts.NAMESPACE).append('\n')
        .append("  labels:\n    pod-security.kubernetes.io/enforce: restricted\n");
    for (Path crd : crdFiles()) {
      out.append("---\n").append(Files.readString(crd).replaceFirst("(?s)^#[^\n]*\n", ""));
    }
    String rendered = Charts.render("");
    for (String doc : rendered.split("(?m)^---\\s*$")) {
      String body = doc.strip();
      if (body.isEmpty() || !body.contains("kind:")) {
        continue;
      }
      StringBuilder kept = new StringBuilder();
      for (String line : body.split("\n")) {
        if (HELM_LABELS.stream().anyMatch(l -> line.trim().startsWith(l + ":"))) {
          continue;
        }
        kept.append(line).append('\n');
      }
      out.append("---\n").append(kept);
    }
    return out.toString();
  }

  static JsonNode plain(JsonNode doc) {
    JsonNode copy = doc.deepCopy();
    List<JsonNode> labelled = new ArrayList<>();
    collectLabels(copy, labelled);
    for (JsonNode labels : labelled) {
      HELM_LABELS.forEach(((ObjectNode) labels)::remove);
    }
    return copy;
  }

  private static void collectLabels(JsonNode node, List<JsonNode> out) {
    if (node.isObject()) {
      node.fields().forEachRemaining(e -> {
        if (e.getKey().equals("labels") && e.getValue().isObject()) {
          out.add(e.getValue());
        } else {
          collectLabels(e.getValue(), out);
        }
      });
    } else if (node.isArray()) {
      node.forEach(n -> collectLabels(n, out));
    }
  }

  static List<JsonNode> crds() throws IOException {
    List<JsonNode> out = new ArrayList<>();
    for (Path p : crdFiles()) {
      out.addAll(Charts.documents(Files.readString(p)));
    }
    return out;
  }

  static List<Path> crdFiles() throws IOException {
    try (Stream<Path> s = Files.list(Path.of("crds"))) {
      return s.filter(p -> p.toString().endsWith(".yml")).sorted().toList();
    }
  }
}
