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
   * The tail of the failed build's log. First the termination message: with
   * {@code FallbackToLogsOnError} the kubelet stores the log's last lines there, it survives
   * as long as the Pod object, and reading it needs no log access. Then the log itself through
   * the API (pods/log), for a container stopped before it terminated (a deadline kills the Pod
   * while it runs). Anything else, and the build is reported without its log.
   */
  public String logTail(List<Pod> pods) {
    var message = LogTail.fromTerminationMessage(pods);
    if (message.isPresent()) {
      return LogTail.trim(message.get());
    }
    List<Pod> newest = LogTail.newestFirst(pods);
    if (!newest.isEmpty()) {
      Pod p = newest.get(0); // only the last attempt's log matters
      try {
        String text = client.pods().inNamespace(p.getMetadata().getNamespace()).withName(p.getMetadata().getName())
            .inContainer(BuildJobModel.CONTAINER).tailingLines(LogTail.LINES).getLog();
        if (LogTail.isLog(text)) {
          return LogTail.trim(text);
        }
      } catch (KubernetesClientException e) {
        log.debug("cannot read the log of build Pod {}: {}", p.getMetadata().getName(), e.getMessage());
      }
    }
    return "(no build log available: the build Pod is gone)";
  }
}
