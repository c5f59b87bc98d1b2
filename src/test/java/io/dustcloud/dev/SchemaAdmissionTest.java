package io.dustcloud.dev;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dustcloud.api.CrdFiles;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import org.junit.jupiter.api.Test;

class SchemaAdmissionTest {
  static final ObjectMapper JSON = new ObjectMapper();
  final SchemaAdmission admission = new SchemaAdmission();

  static JSONSchemaProps schema(String kind) {
    return CrdFiles.load().stream().filter(c -> c.getSpec().getNames().getKind().equals(kind)).findFirst().orElseThrow()
        .getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema();
  }

  static ObjectNode json(String s) throws Exception {
    return (ObjectNode) JSON.readTree(s.replace('\'', '"'));
  }

  @Test
  void appliesDefaultsAndPrunesUnknownFieldsLikeAnApiServer() throws Exception {
    ObjectNode uk = json("{'apiVersion':'dustcloud.io/v1alpha1','kind':'Unikernel','metadata':{'name':'a'},"
        + "'spec':{'image':{'url':'/x','sha256':'" + "b".repeat(64) + "'},'provider':{'local':{}},'bogus':1},'extra':true}");
    assertThat(admission.admit(schema("Unikernel"), uk, null)).isEmpty();
    assertThat(uk.at("/spec/port").asInt()).isEqualTo(8080);
    assertThat(uk.at("/spec/deletionPolicy").asText()).isEqualTo("Delete");
    assertThat(uk.at("/spec/image/format").asText()).isEqualTo("unix");
    assertThat(uk.at("/spec/provider/local/runtime").asText()).isEqualTo("process");
    assertThat(uk.has("extra")).isFalse();
    assertThat(uk.get("spec").has("bogus")).isFalse();
    assertThat(uk.at("/metadata/name").asText()).isEqualTo("a");
  }

  @Test
  void revisionSpecIsImmutableOnUpdateButFreeOnCreate() throws Exception {
    String rev = "{'apiVersion':'dustcloud.io/v1alpha1','kind':'UnikernelRevision','metadata':{'name':'a-1'},"
        + "'spec':{'unikernel':'a','hash':'%s','bootArgs':[]}}";
    ObjectNode created = json(rev.formatted("0123456789"));
    assertThat(admission.admit(schema("UnikernelRevision"), created, null)).isEmpty();

    ObjectNode same = json(rev.formatted("0123456789"));
    assertThat(admission.admit(schema("UnikernelRevision"), same, created)).isEmpty();

    ObjectNode changed = json(rev.formatted("9999999999"));
    assertThat(admission.admit(schema("UnikernelRevision"), changed, created))
        .extracting(SchemaAdmission.Cause::message)
        .containsExactly("spec: Invalid value: \"object\": UnikernelRevision spec is immutable");
  }

  @Test
  void reportsEveryStructuralProblemAtOnce() throws Exception {
    ObjectNode uk = json("{'spec':{'image':{'url':'/x','sha256':'nope'},'provider':{'local':{}},'port':0,'scaling':{'maxReplicas':0}}}");
    assertThat(admission.admit(schema("Unikernel"), uk, null))
        .extracting(SchemaAdmission.Cause::field)
        .containsExactlyInAnyOrder("spec.image.sha256", "spec.port", "spec.scaling.maxReplicas");
  }
}
