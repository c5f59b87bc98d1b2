package io.dustcloud.dev;

import static io.dustcloud.dev.BuiltinTables.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * The printer columns of Pods and Jobs (image builds run as Jobs; their Pods hold the build logs), as the
 * kubernetes printers compute them, without the rarer cases (init containers, pod readiness gates).
 */
final class PodAndJobTables {

  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private PodAndJobTables() {
  }

  static List<TableColumn> pod(TableColumn name, TableColumn age) {
    return List.of(name,
        TableColumn.of("Ready", "string", "The aggregate readiness state of this pod for accepting traffic.",
            PodAndJobTables::podReady),
        TableColumn.of("Status", "string", "The aggregate status of the containers in this pod.",
            PodAndJobTables::podStatus),
        TableColumn.of("Restarts", "string", "The number of times the containers in this pod have been restarted.",
            PodAndJobTables::podRestarts),
        age,
        TableColumn.of("IP", "string", "IP address allocated to the pod.",
            o -> text(o.path("status").path("podIP"))).wide(),
        TableColumn.of("Node", "string", "Name of the Node the pod runs on.",
            o -> text(o.path("spec").path("nodeName"))).wide());
  }

  static List<TableColumn> job(TableColumn name, TableColumn age, Clock clock) {
    return List.of(name,
        TableColumn.of("Status", "string", "Status of the job.", PodAndJobTables::jobStatus),
        TableColumn.of("Completions", "string", "The desired number of successfully finished pods the job should be "
            + "run with.", PodAndJobTables::completions),
        TableColumn.of("Duration", "string", "Time required to complete the job.", o -> duration(o, clock)),
        age,
        TableColumn.of("Containers", "string", "Names of each container in the template.",
            o -> joined(o.path("spec").path("template").path("spec").path("containers"), "name")).wide(),
        TableColumn.of("Images", "string", "Images referenced by each container in the template.",
            o -> joined(o.path("spec").path("template").path("spec").path("containers"), "image")).wide());
  }

  private static JsonNode podReady(JsonNode pod) {
    int total = pod.path("spec").path("containers").size();
    int ready = 0;
    for (JsonNode status : pod.path("status").path("containerStatuses")) {
      if (status.path("ready").asBoolean()) {
        ready++;
      }
    }
    return JSON.textNode(ready + "/" + total);
  }

  private static JsonNode podStatus(JsonNode pod) {
    if (pod.path("metadata").hasNonNull("deletionTimestamp")) {
      return JSON.textNode("Terminating");
    }
    // A waiting or terminated container's reason (CrashLoopBackOff, Completed) says more than the phase.
    String reason = pod.path("status").path("reason").asText(pod.path("status").path("phase").asText());
    for (JsonNode status : pod.path("status").path("containerStatuses")) {
      JsonNode state = status.path("state");
      String containerReason = state.path("waiting").path("reason").asText(state.path("terminated").path("reason")
          .asText(""));
      if (!containerReason.isEmpty()) {
        reason = containerReason;
      }
    }
    return JSON.textNode(reason);
  }

  private static JsonNode podRestarts(JsonNode pod) {
    long restarts = 0;
    for (JsonNode status : pod.path("status").path("containerStatuses")) {
      restarts += status.path("restartCount").asLong();
    }
    return JSON.numberNode(restarts);
  }

  private static JsonNode jobStatus(JsonNode job) {
    JsonNode conditions = job.path("status").path("conditions");
    if (hasCondition(conditions, "Complete")) {
      return JSON.textNode("Complete");
    }
    if (hasCondition(conditions, "Failed")) {
      return JSON.textNode("Failed");
    }
    if (job.path("metadata").hasNonNull("deletionTimestamp")) {
      return JSON.textNode("Terminating");
    }
    for (String type : new String[] {"Suspended", "FailureTarget", "SuccessCriteriaMet"}) {
      if (hasCondition(conditions, type)) {
        return JSON.textNode(type);
      }
    }
    return JSON.textNode("Running");
  }

  private static boolean hasCondition(JsonNode conditions, String type) {
    for (JsonNode c : conditions) {
      if (c.path("type").asText().equals(type) && c.path("status").asText().equals("True")) {
        return true;
      }
    }
    return false;
  }

  private static JsonNode completions(JsonNode job) {
    long succeeded = job.path("status").path("succeeded").asLong();
    JsonNode spec = job.path("spec");
    if (spec.hasNonNull("completions")) {
      return JSON.textNode(succeeded + "/" + spec.get("completions").asLong());
    }
    long parallelism = spec.path("parallelism").asLong(0);
    return JSON.textNode(parallelism > 1 ? succeeded + "/1 of " + parallelism : succeeded + "/1");
  }

  private static JsonNode duration(JsonNode job, Clock clock) {
    try {
      JsonNode status = job.path("status");
      if (!status.hasNonNull("startTime")) {
        return JSON.textNode("");
      }
      Instant start = Instant.parse(status.get("startTime").asText());
      Instant end = status.hasNonNull("completionTime") ? Instant.parse(status.get("completionTime").asText())
          : clock.instant();
      return JSON.textNode(HumanDuration.format(Duration.between(start, end)));
    } catch (DateTimeParseException notATimestamp) {
      return JSON.textNode("<invalid>");
    }
  }

  private static JsonNode joined(JsonNode items, String field) {
    List<String> values = new ArrayList<>();
    items.forEach(item -> values.add(item.path(field).asText()));
    return JSON.textNode(String.join(",", values));
  }
}
