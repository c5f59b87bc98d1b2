package io.dustcloud.build.job;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** The last lines of a failed build, as short as a condition message should be. */
final class LogTail {
  static final int LINES = 20;
  static final int MAX_CHARS = 2000;

  private LogTail() {}

  /** The last {@link #LINES} lines, at most {@link #MAX_CHARS} characters (the end is what matters). */
  static String trim(String log) {
    if (log == null || log.isBlank()) {
      return "(empty)";
    }
    String[] lines = log.strip().split("\r?\n");
    String tail = String.join("\n", Arrays.asList(lines).subList(Math.max(0, lines.length - LINES), lines.length));
    return tail.length() > MAX_CHARS ? "…" + tail.substring(tail.length() - MAX_CHARS) : tail;
  }

  /**
   * The termination message of the newest Pod's build container: with
   * {@code FallbackToLogsOnError} the kubelet fills it with the log's tail when the build fails,
   * so it is there even when the Pod log cannot be read.
   */
  static Optional<String> fromTerminationMessage(List<Pod> pods) {
    return newestFirst(pods).stream()
        .flatMap(p -> p.getStatus() == null || p.getStatus().getContainerStatuses() == null
            ? java.util.stream.Stream.<ContainerStatus>empty() : p.getStatus().getContainerStatuses().stream())
        .filter(c -> BuildJobModel.CONTAINER.equals(c.getName()))
        .map(c -> c.getState() == null ? null
            : c.getState().getTerminated() != null ? c.getState().getTerminated().getMessage()
            : null)
        .filter(m -> m != null && !m.isBlank())
        .findFirst();
  }

  /**
   * Whether a pods/log answer is a log: an API server that does not serve logs (fabric8's mock
   * server in tests) may answer with a Kubernetes object instead.
   */
  static boolean isLog(String text) {
    return text != null && !text.isBlank() && !text.startsWith("{\"apiVersion\"") && !text.startsWith("{\"kind\"");
  }

  static List<Pod> newestFirst(List<Pod> pods) {
    return pods.stream()
        .sorted(Comparator.comparing((Pod p) -> String.valueOf(p.getMetadata().getCreationTimestamp())).reversed())
        .toList();
  }
}
