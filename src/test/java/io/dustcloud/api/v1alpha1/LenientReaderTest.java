package io.dustcloud.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Reading Unikernels and UnikernelRevisions as the API server may hand them: unknown fields are
 * ignored, a value of the wrong type is recorded with its path and leaves its part (spec or
 * status) out instead of failing the read. Read through fabric8's own serialization, as the
 * informers do.
 */
class LenientReaderTest {
  static final KubernetesSerialization FABRIC8 = new KubernetesSerialization();
  static final String HEAD = "{\"apiVersion\": \"dustcloud.io/v1alpha1\", \"kind\": \"Unikernel\","
      + " \"metadata\": {\"name\": \"hello\", \"namespace\": \"default\", \"resourceVersion\": \"7\"}, ";
  static final String GOOD_SPEC = "\"spec\": {\"image\": {\"url\": \"/a\", \"sha256\": \"ab\"},"
      + " \"provider\": {\"local\": {}}, \"port\": 8080}";

  static Stream<Arguments> wrongTypes() {
    return Stream.of(
        Arguments.of("{\"port\": \"abc\"}", "spec.port", "\"abc\"", "an integer"),
        Arguments.of("{\"scaling\": {\"minReplicas\": {\"not\": \"a number\"}}}",
            "spec.scaling.minReplicas", "{\"not\":\"a number\"}", "an integer"),
        Arguments.of("{\"bootArgs\": \"--flag\"}", "spec.bootArgs", "\"--flag\"", "an array"),
        Arguments.of("{\"bootArgs\": [\"a\", {\"b\": 1}]}", "spec.bootArgs[1]", "{\"b\":1}", "a string"),
        Arguments.of("{\"deletionPolicy\": \"Shred\"}", "spec.deletionPolicy", "\"Shred\"", "one of Delete, Orphan"),
        Arguments.of("{\"provider\": \"local\"}", "spec.provider", "\"local\"", "an object"),
        Arguments.of("{\"healthCheck\": {\"http\": {\"path\": [1]}}}", "spec.healthCheck.http.path", "[1]", "a string"),
        Arguments.of("\"everything\"", "spec", "\"everything\"", "an object"));
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @MethodSource("wrongTypes")
  void aWrongTypeInTheSpecIsRecordedWithItsPathAndLeavesTheSpecOut(String spec, String path, String found,
      String expected) {
    Unikernel uk = FABRIC8.unmarshal(HEAD + "\"spec\": " + spec + "}", Unikernel.class);

    assertThat(uk.getMetadata().getName()).isEqualTo("hello");
    assertThat(uk.getMetadata().getResourceVersion()).isEqualTo("7");
    assertThat(uk.getSpec()).isNull();
    assertThat(uk.readProblems().spec()).isEqualTo(new InvalidField(path, found, expected));
    assertThat(uk.readProblems().status()).isNull();
  }

  static Stream<Arguments> wrongStatusTypes() {
    return Stream.of(
        Arguments.of("{\"readyReplicas\": \"many\"}", "status.readyReplicas", "\"many\""),
        Arguments.of("{\"conditions\": [{\"type\": \"Ready\", \"observedGeneration\": \"x\"}]}",
            "status.conditions[0].observedGeneration", "\"x\""),
        Arguments.of("{\"unhealthyInstances\": {\"name\": \"a\"}}", "status.unhealthyInstances", "{\"name\":\"a\"}"));
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @MethodSource("wrongStatusTypes")
  void aWrongTypeInTheStatusLeavesTheStatusOutAndKeepsTheSpec(String status, String path, String found) {
    Unikernel uk = FABRIC8.unmarshal(HEAD + GOOD_SPEC + ", \"status\": " + status + "}", Unikernel.class);

    assertThat(uk.getSpec().port).isEqualTo(8080);
    assertThat(uk.getStatus()).isNull();
    assertThat(uk.readProblems().spec()).isNull();
    assertThat(uk.readProblems().status().path()).isEqualTo(path);
    assertThat(uk.readProblems().status().found()).isEqualTo(found);
  }

  @Test
  void unknownFieldsAnywhereAreIgnored() {
    Unikernel uk = FABRIC8.unmarshal(HEAD + "\"somethingNew\": 1, \"spec\": {\"replicas\": 3, \"bogusField\": \"x\","
        + " \"image\": {\"url\": \"/a\", \"sha256\": \"ab\", \"mirror\": \"b\"}, \"provider\": {\"local\": {\"numa\": 1},"
        + " \"future\": {}}, \"scaling\": {\"minReplicas\": 2, \"burst\": true}},"
        + " \"status\": {\"readyReplicas\": 1, \"futureField\": [1], \"conditions\": [{\"type\": \"Ready\","
        + " \"status\": \"True\", \"severity\": \"Info\"}]}}", Unikernel.class);

    assertThat(uk.readProblems().any()).isFalse();
    assertThat(uk.getSpec().scaling.minReplicas).isEqualTo(2);
    assertThat(uk.getSpec().image.url).isEqualTo("/a");
    assertThat(uk.getSpec().provider.local).isNotNull();
    assertThat(uk.getStatus().readyReplicas).isEqualTo(1);
    assertThat(uk.getStatus().conditions).singleElement().satisfies(c -> assertThat(c.status).isEqualTo("True"));
  }

  @Test
  void theReadablePartOfAnUnreadableSpecIsKeptForDeletion() {
    Unikernel uk = FABRIC8.unmarshal(HEAD + "\"spec\": {\"port\": \"abc\", \"deletionPolicy\": \"Orphan\","
        + " \"provider\": {\"local\": {}}}}", Unikernel.class);

    assertThat(uk.getSpec()).isNull();
    UnikernelSpec readable = uk.readProblems().readableSpec();
    assertThat(readable.deletionPolicy).isEqualTo(UnikernelSpec.DeletionPolicy.Orphan);
    assertThat(readable.provider.local).isNotNull();
    assertThat(readable.port).as("the unreadable field, at its default").isEqualTo(8080);
  }

  @Test
  void bothPartsCanBeUnreadableAtOnce() {
    Unikernel uk = FABRIC8.unmarshal(HEAD + "\"spec\": {\"port\": \"abc\"}, \"status\": {\"replicas\": []}}",
        Unikernel.class);

    assertThat(uk.readProblems().spec().path()).isEqualTo("spec.port");
    assertThat(uk.readProblems().status().path()).isEqualTo("status.replicas");
    assertThat(uk.getSpec()).isNull();
    assertThat(uk.getStatus()).isNull();
  }

  @Test
  void revisionsAreReadTheSameWay() {
    UnikernelRevision rev = FABRIC8.unmarshal("{\"apiVersion\": \"dustcloud.io/v1alpha1\", \"kind\":"
        + " \"UnikernelRevision\", \"metadata\": {\"name\": \"hello-abc\"}, \"spec\": {\"unikernel\": \"hello\","
        + " \"hash\": \"abc\", \"port\": \"x\", \"extra\": 1}, \"status\": {\"bootMedianMillis\": 5, \"new\": 1}}",
        UnikernelRevision.class);

    assertThat(rev.getSpec()).isNull();
    assertThat(rev.readProblems().spec()).isEqualTo(new InvalidField("spec.port", "\"x\"", "an integer"));
    assertThat(rev.getStatus().bootMedianMillis).isEqualTo(5L);
  }

  @Test
  void aLongValueIsShortenedAndTheProblemsAreNotWrittenBack() {
    String longValue = "x".repeat(500);
    Unikernel uk = FABRIC8.unmarshal(HEAD + "\"spec\": {\"port\": \"" + longValue + "\"}}", Unikernel.class);

    assertThat(uk.readProblems().spec().found()).hasSize(LenientReader.MAX_FOUND + 1).endsWith("…");
    assertThat(FABRIC8.asJson(uk)).doesNotContain("readProblems").doesNotContain("invalid");
  }

  @Test
  void aWellFormedObjectReadsAsBefore() {
    Unikernel uk = FABRIC8.unmarshal(HEAD + GOOD_SPEC + "}", Unikernel.class);
    assertThat(uk.readProblems()).isEqualTo(ReadProblems.none());
    assertThat(FABRIC8.unmarshal(FABRIC8.asJson(uk), Unikernel.class).getSpec().image.sha256).isEqualTo("ab");
  }
}
