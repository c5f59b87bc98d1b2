package io.dustcloud.install;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import com.marcnuri.helm.Helm;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/** Renders helm/dustcloud offline with helm-java and parses what comes out. */
final class Charts {
  static final Path CHART = Path.of("helm", "dustcloud");
  static final String RELEASE = "dustcloud";
  static final String NAMESPACE = "dustcloud-system";
  static final String KUBE_VERSION = "1.31.0";
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private Charts() {}

  /** The rendered manifest (CRDs included) for the default values overridden by {@code valuesYaml}. */
  static String render(String valuesYaml) {
    try {
      Path file = Files.createTempFile("dustcloud-values", ".yaml");
      try {
        Files.writeString(file, valuesYaml);
        return new Helm(CHART).template().withName(RELEASE).withNamespace(NAMESPACE)
            .withKubeVersion(KUBE_VERSION).withValuesFile(file).call();
      } finally {
        Files.deleteIfExists(file);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** One parsed object per YAML document, empty documents skipped. */
  static List<JsonNode> documents(String yaml) {
    List<JsonNode> docs = new ArrayList<>();
    try (YAMLParser parser = (YAMLParser) YAML.getFactory().createParser(yaml)) {
      var it = YAML.readValues(parser, JsonNode.class);
      while (it.hasNext()) {
        JsonNode n = it.next();
        if (n != null && !n.isNull() && !n.isMissingNode() && n.has("kind")) {
          docs.add(n);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return docs;
  }

  static <T> T typed(JsonNode doc, Class<T> type) {
    return Serialization.unmarshal(doc.toString(), type);
  }

  static List<JsonNode> ofKind(List<JsonNode> docs, String kind) {
    return docs.stream().filter(d -> kind.equals(d.path("kind").asText())).toList();
  }

  static <T extends HasMetadata> T one(List<JsonNode> docs, String kind, Class<T> type) {
    List<JsonNode> found = ofKind(docs, kind);
    if (found.size() != 1) {
      throw new AssertionError("expected one " + kind + ", found " + found.size());
    }
    return typed(found.get(0), type);
  }

  static Optional<JsonNode> find(List<JsonNode> docs, String kind, String name) {
    return docs.stream()
        .filter(d -> kind.equals(d.path("kind").asText()) && name.equals(d.path("metadata").path("name").asText()))
        .findFirst();
  }

  /** Rules flattened to "group/resource[:names] verb" lines, sorted: what a rule set grants. */
  static TreeSet<String> grants(List<PolicyRule> rules) {
    TreeSet<String> out = new TreeSet<>();
    for (PolicyRule r : rules) {
      String names = r.getResourceNames() == null || r.getResourceNames().isEmpty()
          ? "" : ":" + String.join(",", r.getResourceNames());
      for (String g : r.getApiGroups()) {
        for (String res : r.getResources()) {
          for (String v : r.getVerbs()) {
            out.add((g.isEmpty() ? "core" : g) + "/" + res + names + " " + v);
          }
        }
      }
    }
    return out;
  }
}
