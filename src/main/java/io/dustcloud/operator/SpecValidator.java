package io.dustcloud.operator;

import io.dustcloud.api.v1alpha1.BuildSpec;
import io.dustcloud.api.v1alpha1.GceProviderSpec;
import io.dustcloud.api.v1alpha1.ImageSource;
import io.dustcloud.api.v1alpha1.ScalingSpec;
import io.dustcloud.api.v1alpha1.UnikernelSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Re-checks the rules the CRD schema states. The API server enforces them in a cluster, but a
 * CRD installed without its schema, an older CRD, or dev mode's in-memory API server does
 * not: the operator must never act on a spec the schema would refuse. Messages match the
 * schema's CEL messages.
 */
public final class SpecValidator {
  private static final Pattern SHA256 = Pattern.compile("^[a-f0-9]{64}$");
  private static final Pattern GCE_PROJECT = Pattern.compile("^[a-z][-a-z0-9]{4,28}[a-z0-9]$");
  private static final Pattern METRIC_NAME = Pattern.compile("^[a-zA-Z_:][a-zA-Z0-9_:]*$");
  private static final int MAX_BOOT_ARGS = 64;
  private static final int MAX_BOOT_ARG_LENGTH = 1024;

  private SpecValidator() {}

  /** Every problem found, as messages a person can act on; empty when the spec is valid. */
  public static List<String> validate(UnikernelSpec spec) {
    List<String> problems = new ArrayList<>();
    if (spec == null) {
      problems.add("spec is required");
      return problems;
    }
    if ((spec.image == null) == (spec.build == null)) {
      problems.add("exactly one of spec.image or spec.build must be set");
    }
    if (spec.image != null) {
      image(spec.image, problems);
    }
    if (spec.build != null) {
      build(spec.build, problems);
    }
    if (spec.provider == null) {
      problems.add("spec.provider is required");
    } else if ((spec.provider.gce == null) == (spec.provider.local == null)) {
      problems.add("exactly one of provider.gce or provider.local must be set");
    } else if (spec.provider.gce != null) {
      gce(spec.provider.gce, problems);
    }
    if (spec.port != null && (spec.port < 1 || spec.port > 65535)) {
      problems.add("spec.port must be between 1 and 65535, was " + spec.port);
    }
    if (spec.bootArgs != null) {
      if (spec.bootArgs.size() > MAX_BOOT_ARGS) {
        problems.add("spec.bootArgs may hold at most " + MAX_BOOT_ARGS + " arguments");
      }
      for (String arg : spec.bootArgs) {
        if (arg == null || arg.length() > MAX_BOOT_ARG_LENGTH || arg.indexOf('\0') >= 0) {
          problems.add("spec.bootArgs entries must be non-null strings of at most " + MAX_BOOT_ARG_LENGTH + " characters without NUL");
          break;
        }
      }
    }
    if (spec.scaling != null) {
      scaling(spec.scaling, problems);
    }
    if (spec.healthCheck != null) {
      range("healthCheck.periodSeconds", spec.healthCheck.periodSeconds, 1, 3600, problems);
      range("healthCheck.timeoutSeconds", spec.healthCheck.timeoutSeconds, 1, 60, problems);
      range("healthCheck.failureThreshold", spec.healthCheck.failureThreshold, 1, 100, problems);
      range("healthCheck.successThreshold", spec.healthCheck.successThreshold, 1, 100, problems);
      range("healthCheck.startupDeadlineSeconds", spec.healthCheck.startupDeadlineSeconds, 1, 3600, problems);
      range("healthCheck.maxUnhealthyPercent", spec.healthCheck.maxUnhealthyPercent, 1, 100, problems);
      if (spec.healthCheck.http != null && spec.healthCheck.tcp != null) {
        problems.add("at most one of healthCheck.http or healthCheck.tcp may be set");
      }
      var repairs = spec.healthCheck.maxConcurrentRepairs;
      if (repairs != null && !(repairs.getIntVal() != null ? repairs.getIntVal() >= 1
          : repairs.getStrVal() != null && repairs.getStrVal().matches("^[0-9]{1,3}%$"))) {
        problems.add("maxConcurrentRepairs must be a count of at least 1 or a percentage such as 25%");
      }
      if (spec.healthCheck.http != null && spec.healthCheck.http.expectedStatus != null
          && !spec.healthCheck.http.expectedStatus.matches("^[1-5][0-9]{2}(-[1-5][0-9]{2})?$")) {
        problems.add("healthCheck.http.expectedStatus must be a status (200) or a range (200-399)");
      }
    }
    if (spec.healthCheck != null && spec.healthCheck.http != null) {
      String path = spec.healthCheck.http.path;
      if (path != null && !path.matches("^/[^\\s]*$")) {
        problems.add("healthCheck.http.path must start with '/' and contain no whitespace");
      }
    }
    return problems;
  }

  private static void range(String field, Integer value, int min, int max, List<String> problems) {
    if (value != null && (value < min || value > max)) {
      problems.add(field + " must be between " + min + " and " + max);
    }
  }

  private static void image(ImageSource image, List<String> problems) {
    if (image.url == null || image.url.isBlank()) {
      problems.add("spec.image.url is required");
    }
    if (image.sha256 == null || !SHA256.matcher(image.sha256).matches()) {
      problems.add("spec.image.sha256 must be 64 lowercase hex characters");
    }
  }

  private static void build(BuildSpec build, List<String> problems) {
    if (build.source == null) {
      problems.add("spec.build.source is required");
      return;
    }
    if (build.source.path == null || build.source.path.isBlank()) {
      problems.add("spec.build.source.path is required");
    }
    if (build.source.artifact == null
        || build.source.artifact.isBlank()
        || build.source.artifact.startsWith("/")
        || List.of(build.source.artifact.split("/")).contains("..")) {
      problems.add("spec.build.source.artifact must be a relative path inside the source directory");
    }
  }

  private static void gce(GceProviderSpec gce, List<String> problems) {
    if (gce.project == null || !GCE_PROJECT.matcher(gce.project).matches()) {
      problems.add("provider.gce.project must be a GCE project id (6-30 lowercase letters, digits, hyphens)");
    }
    if ((gce.zone == null) == (gce.region == null)) {
      problems.add("exactly one of gce.zone or gce.region must be set");
    }
  }

  private static void scaling(ScalingSpec s, List<String> problems) {
    if (s.minReplicas != null && (s.minReplicas < 0 || s.minReplicas > ScalingSpec.MAX)) {
      problems.add("scaling.minReplicas must be between 0 and " + ScalingSpec.MAX);
    }
    if (s.maxReplicas != null && (s.maxReplicas < 1 || s.maxReplicas > ScalingSpec.MAX)) {
      problems.add("scaling.maxReplicas must be between 1 and " + ScalingSpec.MAX);
    }
    if (s.minReplicas != null && s.maxReplicas != null && s.minReplicas > s.maxReplicas) {
      problems.add("scaling.minReplicas must be less than or equal to scaling.maxReplicas");
    }
    autoscaling(s, problems);
  }

  private static void autoscaling(ScalingSpec s, List<String> problems) {
    range("scaling.scaleUpForSeconds", s.scaleUpForSeconds, 0, 3600, problems);
    range("scaling.scaleDownForSeconds", s.scaleDownForSeconds, 0, 3600, problems);
    range("scaling.tickSeconds", s.tickSeconds, 1, 60, problems);
    range("scaling.stableWindowSeconds", s.stableWindowSeconds, 1, 3600, problems);
    range("scaling.panicWindowSeconds", s.panicWindowSeconds, 1, 600, problems);
    range("scaling.panicThresholdPercent", s.panicThresholdPercent, 110, 1000, problems);
    range("scaling.scaleDownDelaySeconds", s.scaleDownDelaySeconds, 0, 3600, problems);
    range("scaling.metricsPort", s.metricsPort, 1, 65535, problems);
    rate("scaling.maxScaleUpRate", s.maxScaleUpRate, problems);
    rate("scaling.maxScaleDownRate", s.maxScaleDownRate, problems);
    if (s.target != null && !(s.target > 0)) {
      problems.add("scaling.target must be greater than 0");
    }
    if ((s.scaleUpThreshold != null && !(s.scaleUpThreshold >= 0))
        || (s.scaleDownThreshold != null && !(s.scaleDownThreshold >= 0))) {
      problems.add("scaling thresholds must not be negative");
    }
    if (s.metricName != null && !METRIC_NAME.matcher(s.metricName).matches()) {
      problems.add("scaling.metricName must be a Prometheus metric name");
    }
    if (s.metricsPath != null && !s.metricsPath.matches("^/[^\\s]*$")) {
      problems.add("scaling.metricsPath must start with '/' and contain no whitespace");
    }
    // the schema's CEL rules, with the same messages
    if (s.panicWindowSeconds != null && s.stableWindowSeconds != null && s.panicWindowSeconds > s.stableWindowSeconds) {
      problems.add("scaling.panicWindowSeconds must not exceed scaling.stableWindowSeconds");
    }
    boolean cpu = s.metric == null || s.metric == ScalingSpec.Metric.cpu;
    boolean threshold = s.policy == ScalingSpec.Policy.Threshold;
    if (!cpu && s.metricName == null) {
      problems.add("scaling.metricName is required unless scaling.metric is cpu");
    }
    if (!cpu && !threshold && s.target == null) {
      problems.add("scaling.target is required for target tracking unless scaling.metric is cpu");
    }
    if (!cpu && threshold && (s.scaleUpThreshold == null || s.scaleDownThreshold == null)) {
      problems.add("scaling.scaleUpThreshold and scaling.scaleDownThreshold are required for the Threshold policy"
          + " unless scaling.metric is cpu");
    }
    if (s.scaleUpThreshold != null && s.scaleDownThreshold != null && !(s.scaleDownThreshold < s.scaleUpThreshold)) {
      problems.add("scaling.scaleDownThreshold must be less than scaling.scaleUpThreshold");
    }
  }

  private static void rate(String field, Double value, List<String> problems) {
    if (value != null && !(value >= 1 && value <= 1000)) {
      problems.add(field + " must be between 1 and 1000");
    }
  }
}
