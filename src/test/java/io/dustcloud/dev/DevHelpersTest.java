package io.dustcloud.dev;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;

/** The pure helpers behind the dev API server: JSONPath, field selectors, merge patches, ages. */
class DevHelpersTest {

  private final JsonNode object = Responses.parse("""
      {"metadata": {"name": "web", "labels": {"app.kubernetes.io/name": "dust"}},
       "status": {"replicas": 3,
                  "conditions": [{"type": "Progressing", "status": "False"}, {"type": "Ready", "status": "True"}]}}
      """);

  @Test
  void followsFieldsIndexesAndQuotedKeys() {
    assertThat(SimpleJsonPath.first(object, ".metadata.name").asText()).isEqualTo("web");
    assertThat(SimpleJsonPath.first(object, "{.status.replicas}").asInt()).isEqualTo(3);
    assertThat(SimpleJsonPath.first(object, ".status.conditions[1].type").asText()).isEqualTo("Ready");
    assertThat(SimpleJsonPath.first(object, ".status.conditions[-1].type").asText()).isEqualTo("Ready");
    assertThat(SimpleJsonPath.first(object, ".metadata.labels['app.kubernetes.io/name']").asText()).isEqualTo("dust");
  }

  @Test
  void filtersByFieldValue() {
    assertThat(SimpleJsonPath.first(object, ".status.conditions[?(@.type==\"Ready\")].status").asText())
        .isEqualTo("True");
    assertThat(SimpleJsonPath.first(object, ".status.conditions[?(@.type != 'Ready')].status").asText())
        .isEqualTo("False");
    assertThat(SimpleJsonPath.first(object, ".status.conditions[?(@.type==\"Missing\")].status")).isNull();
  }

  @Test
  void missingPathsSelectNothingAndUnsupportedSyntaxIsRejected() {
    assertThat(SimpleJsonPath.first(object, ".status.currentRevision")).isNull();
    assertThat(SimpleJsonPath.evaluate(object, ".status.conditions[*].type")).hasSize(2);
    assertThatThrownBy(() -> SimpleJsonPath.first(object, ".status..replicas"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void fieldSelectorsSplitBetweenStoreAndLocalTerms() {
    FieldSelector selector = FieldSelector.parse("metadata.name=web,status.replicas=3,metadata.namespace!=x");
    assertThat(selector.forStore()).isEqualTo("metadata.name=web");
    assertThat(selector.needsLocalFiltering()).isTrue();
    assertThat(selector.matchesLocally(object)).isTrue();
    assertThat(FieldSelector.parse("status.replicas=4").matchesLocally(object)).isFalse();
    // A missing field compares as "".
    assertThat(FieldSelector.parse("spec.nodeName=").matchesLocally(object)).isTrue();
  }

  @Test
  void mergePatchRemovesNullsAndMergesObjects() {
    JsonNode merged = PatchTranslator.mergePatch(object,
        Responses.parse("{\"status\": {\"replicas\": null, \"ready\": true}, \"spec\": {\"image\": \"x\"}}"));
    assertThat(merged.path("status").has("replicas")).isFalse();
    assertThat(merged.path("status").path("ready").asBoolean()).isTrue();
    assertThat(merged.path("status").path("conditions").size()).isEqualTo(2);
    assertThat(merged.path("spec").path("image").asText()).isEqualTo("x");
  }

  @Test
  void agesPrintLikeKubernetes() {
    assertThat(HumanDuration.format(java.time.Duration.ofSeconds(45))).isEqualTo("45s");
    assertThat(HumanDuration.format(java.time.Duration.ofSeconds(200))).isEqualTo("3m20s");
    assertThat(HumanDuration.format(java.time.Duration.ofHours(5))).isEqualTo("5h");
    assertThat(HumanDuration.format(java.time.Duration.ofDays(12))).isEqualTo("12d");
  }
}
