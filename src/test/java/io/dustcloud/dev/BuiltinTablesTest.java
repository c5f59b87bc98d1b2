package io.dustcloud.dev;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The built-in kinds' columns, cell by cell, against the real printers' rules. */
class BuiltinTablesTest {

  private static final Clock NOW = Clock.fixed(Instant.parse("2026-01-01T12:00:00Z"), ZoneOffset.UTC);

  @Test
  void eventsShowLastSeenTypeReasonObjectMessageAndTheRestWhenWide() {
    JsonNode table = table("", "v1", "events", "Event", """
        {"metadata": {"name": "hello.1"}, "type": "Warning", "reason": "CrashLoopBackOff",
         "involvedObject": {"kind": "Unikernel", "name": "hello", "fieldPath": "spec"},
         "source": {"component": "dustcloud-operator"}, "message": "  exited at once\\n",
         "firstTimestamp": "2026-01-01T11:50:00Z", "lastTimestamp": "2026-01-01T11:59:00Z", "count": 4}""");
    assertThat(names(table)).containsExactly("Last Seen", "Type", "Reason", "Object", "Subobject", "Source",
        "Message", "First Seen", "Count", "Name");
    assertThat(priorities(table)).containsExactly(0, 0, 0, 0, 1, 1, 0, 1, 1, 1);
    assertThat(cells(table)).containsExactly("60s", "Warning", "CrashLoopBackOff", "unikernel/hello", "spec",
        "dustcloud-operator", "exited at once", "10m", "4", "hello.1");
  }

  @Test
  void anEventWithoutLastTimestampShowsItsFirstAndCountsOne() {
    JsonNode table = table("", "v1", "events", "Event", """
        {"metadata": {"name": "e"}, "type": "Normal", "reason": "R", "involvedObject": {"kind": "Namespace"},
         "eventTime": "2026-01-01T11:59:30.000000Z"}""");
    assertThat(cells(table)).containsExactly("30s", "Normal", "R", "namespace", null, "", "", "30s", "1", "e");
  }

  @Test
  void eventsOfTheEventsApiUseItsFieldNames() {
    JsonNode table = table("events.k8s.io", "v1", "events", "Event", """
        {"metadata": {"name": "e"}, "type": "Normal", "reason": "Scaled", "note": "scaled to 2",
         "regarding": {"kind": "Unikernel", "name": "hello"}, "reportingController": "dustcloud",
         "deprecatedFirstTimestamp": "2026-01-01T11:00:00Z", "series": {"count": 7,
         "lastObservedTime": "2026-01-01T11:58:00.000000Z"}}""");
    assertThat(cells(table)).containsExactly("2m", "Normal", "Scaled", "unikernel/hello", null, "dustcloud",
        "scaled to 2", "60m", "7", "e");
  }

  @Test
  void namespacesConfigMapsSecretsLeasesAndCrds() {
    assertThat(names(table("", "v1", "namespaces", "Namespace", "{\"metadata\": {\"name\": \"n\"}}")))
        .containsExactly("Name", "Status", "Age");
    assertThat(cells(table("", "v1", "namespaces", "Namespace", "{\"metadata\": {\"name\": \"n\"},"
        + " \"status\": {\"phase\": \"Terminating\"}}"))).containsExactly("n", "Terminating", "<unknown>");
    assertThat(cells(table("", "v1", "configmaps", "ConfigMap", "{\"metadata\": {\"name\": \"c\","
        + " \"creationTimestamp\": \"2026-01-01T11:59:00Z\"}, \"data\": {\"a\": \"1\"}, \"binaryData\": {\"b\": \"\"}}")))
        .containsExactly("c", "2", "60s");
    assertThat(cells(table("", "v1", "secrets", "Secret", "{\"metadata\": {\"name\": \"s\"}, \"type\": \"Opaque\","
        + " \"data\": {\"a\": \"MQ==\"}, \"stringData\": {\"a\": \"1\", \"b\": \"2\"}}")))
        .containsExactly("s", "Opaque", "2", "<unknown>");
    assertThat(cells(table("coordination.k8s.io", "v1", "leases", "Lease", "{\"metadata\": {\"name\": \"l\"},"
        + " \"spec\": {\"holderIdentity\": \"pod-1\"}}"))).containsExactly("l", "pod-1", "<unknown>");
    JsonNode crds = table("apiextensions.k8s.io", "v1", "customresourcedefinitions", "CustomResourceDefinition",
        "{\"metadata\": {\"name\": \"x.y\", \"creationTimestamp\": \"2025-05-01T10:00:00Z\"}}");
    assertThat(names(crds)).containsExactly("Name", "Created At");
    assertThat(cells(crds)).containsExactly("x.y", "2025-05-01T10:00:00Z");
  }

  @Test
  void jobsAndPods() {
    JsonNode job = table("batch", "v1", "jobs", "Job", """
        {"metadata": {"name": "build-1"}, "spec": {"completions": 1, "template": {"spec": {"containers": [
         {"name": "make", "image": "builder:1"}]}}}, "status": {"succeeded": 1, "startTime": "2026-01-01T11:58:00Z",
         "completionTime": "2026-01-01T11:59:30Z", "conditions": [{"type": "Complete", "status": "True"}]}}""");
    assertThat(names(job)).containsExactly("Name", "Status", "Completions", "Duration", "Age", "Containers", "Images");
    assertThat(cells(job)).containsExactly("build-1", "Complete", "1/1", "90s", "<unknown>", "make", "builder:1");

    JsonNode pod = table("", "v1", "pods", "Pod", """
        {"metadata": {"name": "build-1-x"}, "spec": {"containers": [{"name": "make"}], "nodeName": "n1"},
         "status": {"phase": "Running", "podIP": "10.0.0.5", "containerStatuses": [{"ready": false,
         "restartCount": 3, "state": {"waiting": {"reason": "CrashLoopBackOff"}}}]}}""");
    assertThat(names(pod)).containsExactly("Name", "Ready", "Status", "Restarts", "Age", "IP", "Node");
    assertThat(cells(pod)).containsExactly("build-1-x", "0/1", "CrashLoopBackOff", "3", "<unknown>", "10.0.0.5", "n1");
  }

  @Test
  void kindsWithoutPrintersAndCustomKindsWithoutColumnsShowNameAndAge() {
    assertThat(names(table("apps", "v1", "deployments", "Deployment", "{\"metadata\": {\"name\": \"d\"}}")))
        .containsExactly("Name", "Age");
    assertThat(names(TableConverter.toTable(null, Responses.parse("{\"metadata\": {\"name\": \"d\"}}"), null, NOW)))
        .containsExactly("Name", "Age");
  }

  private static JsonNode table(String group, String version, String plural, String kind, String object) {
    ApiResource type = ApiResource.builtin(group, version, plural, kind, true, false);
    return TableConverter.toTable(type, Responses.parse(object), "None", NOW);
  }

  private static List<String> names(JsonNode table) {
    return table.path("columnDefinitions").findValuesAsText("name");
  }

  private static List<Integer> priorities(JsonNode table) {
    List<Integer> priorities = new java.util.ArrayList<>();
    table.path("columnDefinitions").forEach(c -> priorities.add(c.path("priority").asInt()));
    return priorities;
  }

  private static List<String> cells(JsonNode table) {
    List<String> cells = new java.util.ArrayList<>();
    table.path("rows").get(0).path("cells").forEach(c -> cells.add(c.isNull() ? null : c.asText()));
    return cells;
  }
}
