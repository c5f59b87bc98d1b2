package io.dustcloud.testing;

import io.dustcloud.build.job.BuildJobModel;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Instant;

/**
 * Plays the Job controller and the kubelet for a build Job on the mock API server: a Pod
 * labelled like the Job's template whose build container terminated with a termination
 * message, then the Job's terminal condition.
 */
public final class BuildJobSimulator {
  private final KubernetesClient client;

  public BuildJobSimulator(KubernetesClient client) {
    this.client = client;
  }

  /** The builder wrote {@code {"url","sha256"}} and exited 0; the Job is Complete. */
  public void succeed(Job job, String url, String sha256) {
    pod(job, 0, "{\"url\":\"" + url + "\",\"sha256\":\"" + sha256 + "\"}");
    finish(job, "Complete", "CompletionsReached", "Reached expected number of succeeded pods", 0);
  }

  /** Succeeds with the URL the Job was told to upload to ({@code DUSTCLOUD_OUTPUT_URL}). */
  public void succeed(Job job, String sha256) {
    String url = job.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().stream()
        .filter(e -> e.getName().equals("DUSTCLOUD_OUTPUT_URL")).findFirst().orElseThrow().getValue();
    succeed(job, url, sha256);
  }

  /** The Job failed while its Pod was still running (no termination message yet). */
  public void failWhileRunning(Job job, String jobReason) {
    Pod pod = new PodBuilder()
        .withNewMetadata()
            .withName(job.getMetadata().getName() + "-r8m4q")
            .withNamespace(job.getMetadata().getNamespace())
            .withLabels(job.getSpec().getTemplate().getMetadata().getLabels())
        .endMetadata()
        .withSpec(job.getSpec().getTemplate().getSpec())
        .build();
    client.resource(pod).create();
    finish(job, "Failed", jobReason, "Job failed: " + jobReason, 1);
  }

  /**
   * The build failed: {@code log} is what the kubelet puts into the termination message
   * ({@code FallbackToLogsOnError}); {@code jobReason} is BackoffLimitExceeded or DeadlineExceeded.
   */
  public void fail(Job job, String jobReason, String log) {
    pod(job, 2, log);
    finish(job, "Failed", jobReason, "Job failed: " + jobReason, 2);
  }

  private void pod(Job job, int exitCode, String message) {
    Pod pod = new PodBuilder()
        .withNewMetadata()
            .withName(job.getMetadata().getName() + "-x7k2p")
            .withNamespace(job.getMetadata().getNamespace())
            .withLabels(job.getSpec().getTemplate().getMetadata().getLabels())
        .endMetadata()
        .withSpec(job.getSpec().getTemplate().getSpec())
        .withNewStatus()
            .withPhase(exitCode == 0 ? "Succeeded" : "Failed")
            .withContainerStatuses(new ContainerStatusBuilder()
                .withName(BuildJobModel.CONTAINER)
                .withImage(job.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
                .withNewState().withNewTerminated()
                    .withExitCode(exitCode).withMessage(message).withReason(exitCode == 0 ? "Completed" : "Error")
                .endTerminated().endState()
                .build())
        .endStatus()
        .build();
    client.resource(pod).create();
  }

  private void finish(Job job, String type, String reason, String message, int failed) {
    Job current = client.batch().v1().jobs().inNamespace(job.getMetadata().getNamespace())
        .withName(job.getMetadata().getName()).get();
    String now = Instant.now().toString();
    current.setStatus(new JobStatusBuilder()
        .withStartTime(now)
        .withSucceeded(failed == 0 ? 1 : 0)
        .withFailed(failed)
        .withConditions(new JobConditionBuilder()
            .withType(type).withStatus("True").withReason(reason).withMessage(message)
            .withLastTransitionTime(now).withLastProbeTime(now).build())
        .build());
    client.resource(current).updateStatus();
  }
}
