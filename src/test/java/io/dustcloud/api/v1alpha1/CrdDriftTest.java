package io.dustcloud.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crdv2.generator.CRDGenerator;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CRD YAML in {@code crds/} is generated from the API classes and committed. This test
 * fails when they drift apart. Regenerate with
 * {@code mvn test -Dtest=CrdDriftTest -Ddustcloud.writeCrds=true}.
 */
class CrdDriftTest {
  static final Path COMMITTED = Path.of("crds");
  static final List<Class<?>> KINDS = List.of(Unikernel.class, UnikernelRevision.class);

  @Test
  void committedCrdsMatchTheApiClasses(@TempDir Path out) throws IOException {
    generate(out);
    if (Boolean.getBoolean("dustcloud.writeCrds")) {
      // the Helm chart ships identical copies (HelmChartTest checks them)
      for (Path target : List.of(COMMITTED, Path.of("helm/dustcloud/crds"))) {
        Files.createDirectories(target);
        for (Path p : yamlFiles(out)) {
          Files.copy(p, target.resolve(p.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
    List<Path> generated = yamlFiles(out);
    assertThat(generated)
        .extracting(p -> p.getFileName().toString())
        .containsExactlyInAnyOrderElementsOf(
            yamlFiles(COMMITTED).stream().map(p -> p.getFileName().toString()).toList());
    for (Path p : generated) {
      assertThat(Files.readString(COMMITTED.resolve(p.getFileName())))
          .as("crds/%s is stale: regenerate with -Ddustcloud.writeCrds=true", p.getFileName())
          .isEqualTo(Files.readString(p));
    }
  }

  @Test
  void everyFieldHasADescriptionForKubectlExplain() throws IOException {
    for (Path p : yamlFiles(COMMITTED)) {
      CustomResourceDefinition crd = Serialization.unmarshal(Files.readString(p), CustomResourceDefinition.class);
      JSONSchemaProps root = crd.getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema();
      List<String> missing = new ArrayList<>();
      collectUndescribed("", root, missing);
      assertThat(missing).as("fields without description in %s", p.getFileName()).isEmpty();
    }
  }

  private static void collectUndescribed(String path, JSONSchemaProps schema, List<String> missing) {
    if (schema.getProperties() != null) {
      for (Map.Entry<String, JSONSchemaProps> e : schema.getProperties().entrySet()) {
        String child = path + "." + e.getKey();
        // apiVersion, kind and metadata are described by Kubernetes itself
        if (path.isEmpty() && List.of("apiVersion", "kind", "metadata").contains(e.getKey())) {
          continue;
        }
        if (e.getValue().getDescription() == null || e.getValue().getDescription().isBlank()) {
          missing.add(child);
        }
        collectUndescribed(child, e.getValue(), missing);
      }
    }
    if (schema.getItems() != null && schema.getItems().getSchema() != null) {
      collectUndescribed(path + "[]", schema.getItems().getSchema(), missing);
    }
  }

  /** Generates the CRDs, then orders printer columns as declared (the generator sorts them). */
  static void generate(Path out) throws IOException {
    new CRDGenerator()
        .inOutputDir(out.toFile())
        .forCRDVersions("v1")
        .customResourceClasses(KINDS.toArray(Class[]::new))
        .generate();
    for (Path p : yamlFiles(out)) {
      String yaml = Files.readString(p);
      CustomResourceDefinition crd = Serialization.unmarshal(yaml, CustomResourceDefinition.class);
      Class<?> kind =
          KINDS.stream()
              .filter(k -> k.getSimpleName().equals(crd.getSpec().getNames().getKind()))
              .findFirst()
              .orElseThrow();
      List<String> declared =
          Arrays.stream(kind.getAnnotationsByType(AdditionalPrinterColumn.class))
              .map(AdditionalPrinterColumn::name)
              .toList();
      List<CustomResourceColumnDefinition> columns =
          crd.getSpec().getVersions().get(0).getAdditionalPrinterColumns();
      columns.sort(Comparator.comparingInt(c -> declared.indexOf(c.getName())));
      String header = yaml.substring(0, yaml.indexOf("apiVersion"));
      Files.writeString(p, header + Serialization.asYaml(crd).replaceFirst("^---\n", ""));
    }
  }

  static List<Path> yamlFiles(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.toString().endsWith(".yml") || p.toString().endsWith(".yaml"))
          .sorted()
          .toList();
    }
  }
}
