package io.dustcloud.build.job;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** API side effects for build Jobs: read, create, replace; their Pods and logs. */
public class BuildJobs {
  private static final Logger log = LoggerFactory.getLogger(BuildJobs.class);
  private final KubernetesClient client;

  public BuildJobs(KubernetesClient client) {
    this.client = client;
  }

  public Optional<Job> get(String namespace, String name) {
    return Optional.ofNullable(client.batch().v1().jobs().inNamespace(namespace).withName(name).get());
  }

  /** Creates the Job; false when it already exists (another reconcile or revision created it). */
  public boolean create(Job job) {
    try {
      client.resource(job).create();
      return true;
    } catch (KubernetesClientException e) {
      if (e.getCode() == HttpURLConnection.HTTP_CONFLICT) {
        return false;
      }
      throw e;
    }
  }

  /** Deletes the Job and, in the background, its Pods (a replaced build must not keep running). */
  public void delete(Job job) {
    client.batch().v1().jobs().inNamespace(job.getMetadata().getNamespace()).withName(job.getMetadata().getName())
        .withPropagationPolicy(io.fabric8.kubernetes.api.model.DeletionPropagation.BACKGROUND).delete();
  }

  public List<Pod> pods(Job job) {
    return client.pods().inNamespace(job.getMetadata().getNamespace())
        .withLabel(BuildJobModel.LABEL_BUILD_JOB, job.getMetadata().getName()).list().getItems();
  }

  /**
   * The tail of the newest Pod's build log through the API (pods/log), or the termination
   * message when the log cannot be read (the Pod was removed, RBAC without pods/log, or an
   * API server that does not serve logs, like the mock server in tests).
   */
  public String logTail(List<Pod> pods) {
    for (Pod p : LogTail.newestFirst(pods)) {
      try {
        String text = client.pods().inNamespace(p.getMetadata().getNamespace()).withName(p.getMetadata().getName())
            .inContainer(BuildJobModel.CONTAINER).tailingLines(LogTail.LINES).getLog();
        if (text != null && !text.isBlank()) {
          return LogTail.trim(text);
        }
      } catch (KubernetesClientException e) {
        log.debug("cannot read the log of build Pod {}: {}", p.getMetadata().getName(), e.getMessage());
      }
      break; // only the newest attempt's log matters
    }
    return LogTail.fromTerminationMessage(pods).map(LogTail::trim).orElse("(no build log available)");
  }
}
