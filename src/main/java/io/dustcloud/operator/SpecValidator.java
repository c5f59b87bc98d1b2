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
    if (spec.rollout != null) {
      rollout(spec.rollout, problems);
    }
    if (spec.revision != null && !spec.revision.matches("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")) {
      problems.add("spec.revision must name a revision (a DNS label such as hello-5d8f7c0a1b)");
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
    if ((build.source == null) == (build.git == null)) {
      problems.add("exactly one of spec.build.source or spec.build.git must be set");
    }
    if (build.source != null) {
      localSource(build.source, problems);
    }
    if (build.git != null) {
      git(build, problems);
    }
    if (build.builderImage != null && !build.builderImage.matches(BuildSpec.PINNED_IMAGE)) {
      problems.add(BUILDER_NOT_PINNED);
    }
    if (build.lockFile != null && !build.lockFile.matches(BuildSpec.RELATIVE_PATH)) {
      problems.add("spec.build.lockFile must be a relative path inside the source (no '..', no leading '/')");
    }
    if (build.outputBucket != null && !build.outputBucket.matches(BuildSpec.BUCKET)) {
      problems.add("spec.build.outputBucket must be gs://BUCKET or gs://BUCKET/PREFIX");
    }
    if (build.serviceAccount != null && !build.serviceAccount.matches(BuildSpec.SERVICE_ACCOUNT)) {
      problems.add("spec.build.serviceAccount must be a ServiceAccount name");
    }
    if (build.resources != null) {
      quantity("spec.build.resources.cpu", build.resources.cpu, problems);
      quantity("spec.build.resources.memory", build.resources.memory, problems);
    }
    range("spec.build.deadlineSeconds", build.deadlineSeconds, 60, 86400, problems);
  }

  /** Runtime messages for the build rules, shared with tests and the bad-input corpus. */
  public static final String COMMIT_NOT_SHA =
      "spec.build.git.commit must be a full 40-character commit SHA; branch and tag names move and are refused";
  public static final String BUILDER_NOT_PINNED =
      "spec.build.builderImage must be pinned by digest (image@sha256:<64 hex>); a tag can move";
  public static final String LOCK_FILE_REQUIRED =
      "spec.build.lockFile is required with spec.build.git: unpinned dependencies make builds irreproducible";

  private static void git(BuildSpec build, List<String> problems) {
    if (build.git.url == null || !build.git.url.matches("^(https|ssh)://[^\\s]+$")) {
      problems.add("spec.build.git.url must be an https:// or ssh:// URL");
    }
    if (build.git.commit == null || !build.git.commit.matches(BuildSpec.COMMIT)) {
      problems.add(COMMIT_NOT_SHA);
    }
    if (build.lockFile == null) {
      problems.add(LOCK_FILE_REQUIRED);
    }
    if (build.builderImage == null) {
      problems.add("spec.build.builderImage is required with spec.build.git");
    }
    if (build.outputBucket == null) {
      problems.add("spec.build.outputBucket is required with spec.build.git");
    }
  }

  private static void quantity(String field, String value, List<String> problems) {
    if (value != null && !value.matches(BuildSpec.QUANTITY)) {
      problems.add(field + " must be a Kubernetes quantity such as 2, 500m or 4Gi");
    }
  }

  private static void localSource(BuildSpec.LocalSource source, List<String> problems) {
    if (source.path == null || source.path.isBlank()) {
      problems.add("spec.build.source.path is required");
    }
    if (source.artifact == null
        || source.artifact.isBlank()
        || source.artifact.startsWith("/")
        || List.of(source.artifact.split("/")).contains("..")) {
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

  private static void rollout(io.dustcloud.api.v1alpha1.RolloutSpec r, List<String> problems) {
    boolean surgeOk = countOrPercent(r.maxSurge, 0);
    boolean unavailableOk = countOrPercent(r.maxUnavailable, 0);
    if (!surgeOk) {
      problems.add("rollout.maxSurge must be a count of at least 0 or a percentage such as 25%");
    }
    if (!unavailableOk) {
      problems.add("rollout.maxUnavailable must be a count of at least 0 or a percentage such as 10%");
    }
    if (surgeOk && unavailableOk && isZero(r.maxSurge, "25%") && isZero(r.maxUnavailable, "0")) {
      problems.add("rollout.maxSurge and rollout.maxUnavailable cannot both be 0: a rollout could never start an instance");
    }
    range("rollout.progressDeadlineSeconds", r.progressDeadlineSeconds, 1, 86400, problems);
    range("rollout.verificationSeconds", r.verificationSeconds, 0, 86400, problems);
    range("rollout.keepPreviousSeconds", r.keepPreviousSeconds, 0, 86400, problems);
  }

  private static boolean countOrPercent(io.fabric8.kubernetes.api.model.IntOrString v, int min) {
    return v == null || (v.getIntVal() != null ? v.getIntVal() >= min
        : v.getStrVal() != null && v.getStrVal().matches("^[0-9]{1,3}%$"));
  }

  private static boolean isZero(io.fabric8.kubernetes.api.model.IntOrString v, String fallback) {
    String s = v == null ? fallback : v.getIntVal() != null ? v.getIntVal().toString() : v.getStrVal();
    return s.replace("%", "").matches("0+");
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
