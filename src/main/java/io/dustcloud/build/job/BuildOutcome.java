package io.dustcloud.build.job;

import io.dustcloud.core.Reason;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Where a build Job stands, read from the Job's conditions and its Pods' container statuses.
 * Pure: the caller fetches the objects.
 */
public sealed interface BuildOutcome {

  record Running(String message) implements BuildOutcome {}

  record Succeeded(String url, String sha256) implements BuildOutcome {}

  /** The Job failed; {@code reason} is BuildFailed or BuildTimedOut. */
  record Failed(Reason reason, String message) implements BuildOutcome {}

  /**
   * The Job completed but no Pod with its result is left (deleted by hand or by a node's
   * eviction before the operator read it). Running it again is safe: the upload is
   * write-once, so the builder reports the object already there.
   */
  record ResultLost(String message) implements BuildOutcome {}

  ObjectMapper JSON = new ObjectMapper();

  static BuildOutcome of(Job job, List<Pod> pods, String expectedUrl, Instant now) {
    String name = job.getMetadata().getNamespace() + "/" + job.getMetadata().getName();
    Optional<JobCondition> failed = condition(job, "Failed");
    if (failed.isPresent()) {
      boolean deadline = "DeadlineExceeded".equals(failed.get().getReason());
      String why = deadline
          ? "build Job " + name + " did not finish within its deadline (activeDeadlineSeconds "
              + job.getSpec().getActiveDeadlineSeconds() + ")"
          : "build Job " + name + " failed (" + failed.get().getReason() + ": " + failed.get().getMessage() + ")";
      return new Failed(deadline ? Reason.BUILD_TIMED_OUT : Reason.BUILD_FAILED, why);
    }
    if (condition(job, "Complete").isPresent()) {
      return result(name, pods, expectedUrl);
    }
    var st = job.getStatus();
    int failures = st == null || st.getFailed() == null ? 0 : st.getFailed();
    String since = st == null || st.getStartTime() == null ? ""
        : ", running for " + Duration.between(Instant.parse(st.getStartTime()), now).toSeconds() + "s";
    return new Running("build Job " + name + " is running (attempt " + (failures + 1) + " of "
        + (job.getSpec().getBackoffLimit() + 1) + since + ")");
  }

  /** Parses the termination message of the newest Pod whose build container exited 0. */
  private static BuildOutcome result(String name, List<Pod> pods, String expectedUrl) {
    Optional<ContainerStatus> done = LogTail.newestFirst(pods).stream()
        .flatMap(p -> p.getStatus() == null || p.getStatus().getContainerStatuses() == null
            ? java.util.stream.Stream.<ContainerStatus>empty() : p.getStatus().getContainerStatuses().stream())
        .filter(c -> BuildJobModel.CONTAINER.equals(c.getName()))
        .filter(c -> c.getState() != null && c.getState().getTerminated() != null
            && Integer.valueOf(0).equals(c.getState().getTerminated().getExitCode()))
        .findFirst();
    if (done.isEmpty()) {
      return new ResultLost("build Job " + name + " completed but none of its Pods is left to read the result from");
    }
    String message = done.get().getState().getTerminated().getMessage();
    try {
      JsonNode json = JSON.readTree(message == null ? "" : message);
      String url = json == null || json.get("url") == null ? null : json.get("url").asText();
      String sha = json == null || json.get("sha256") == null ? null : json.get("sha256").asText();
      if (url == null || sha == null || !sha.matches("[a-f0-9]{64}")) {
        return contractBroken(name, message);
      }
      if (!url.equals(expectedUrl)) {
        return new Failed(Reason.BUILD_FAILED, "build Job " + name + " uploaded to " + url + ", not to " + expectedUrl
            + " where the build key names it; refusing the artifact");
      }
      return new Succeeded(url, sha);
    } catch (java.io.IOException e) {
      return contractBroken(name, message);
    }
  }

  private static Failed contractBroken(String name, String message) {
    return new Failed(Reason.BUILD_FAILED, "build Job " + name + " completed but its termination message is not"
        + " {\"url\": …, \"sha256\": <64 hex>} (docs/builds.md): " + LogTail.trim(message));
  }

  private static Optional<JobCondition> condition(Job job, String type) {
    if (job.getStatus() == null || job.getStatus().getConditions() == null) {
      return Optional.empty();
    }
    return job.getStatus().getConditions().stream()
        .filter(c -> type.equals(c.getType()) && "True".equals(c.getStatus()))
        .findFirst();
  }
}
