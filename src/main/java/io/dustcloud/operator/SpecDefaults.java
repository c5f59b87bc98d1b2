package io.dustcloud.operator;

import io.dustcloud.api.v1alpha1.HealthCheckSpec;
import io.dustcloud.api.v1alpha1.ScalingSpec;
import io.dustcloud.api.v1alpha1.UnikernelSpec;
import java.util.ArrayList;

/**
 * Fills the defaults the CRD schema declares, for objects that reached the operator without
 * API-server defaulting (explicit nulls, dev mode's in-memory API server). Idempotent.
 */
final class SpecDefaults {
  private SpecDefaults() {}

  /** The autoscaler's fields; cpu also gets its metric-specific target and thresholds. */
  private static void autoscaling(ScalingSpec spec, ScalingSpec d) {
    spec.policy = or(spec.policy, d.policy);
    spec.metric = or(spec.metric, d.metric);
    spec.scaleUpForSeconds = or(spec.scaleUpForSeconds, d.scaleUpForSeconds);
    spec.scaleDownForSeconds = or(spec.scaleDownForSeconds, d.scaleDownForSeconds);
    spec.tickSeconds = or(spec.tickSeconds, d.tickSeconds);
    spec.stableWindowSeconds = or(spec.stableWindowSeconds, d.stableWindowSeconds);
    spec.panicWindowSeconds = or(spec.panicWindowSeconds, d.panicWindowSeconds);
    spec.panicThresholdPercent = or(spec.panicThresholdPercent, d.panicThresholdPercent);
    spec.scaleDownDelaySeconds = or(spec.scaleDownDelaySeconds, d.scaleDownDelaySeconds);
    spec.maxScaleUpRate = or(spec.maxScaleUpRate, d.maxScaleUpRate);
    spec.maxScaleDownRate = or(spec.maxScaleDownRate, d.maxScaleDownRate);
    spec.metricsPath = or(spec.metricsPath, d.metricsPath);
    if (spec.metric == ScalingSpec.Metric.cpu) {
      spec.target = or(spec.target, CPU_TARGET);
      spec.scaleUpThreshold = or(spec.scaleUpThreshold, CPU_TARGET);
      spec.scaleDownThreshold = or(spec.scaleDownThreshold, CPU_SCALE_DOWN);
    }
  }

  /** Replacements booting at once when the spec says nothing (the CRD declares no default). */
  static final String MAX_CONCURRENT_REPAIRS = "25%";

  /** Percent of one core. */
  static final double CPU_TARGET = 70.0;
  static final double CPU_SCALE_DOWN = 5.0;

  private static <T> T or(T value, T fallback) {
    return value == null ? fallback : value;
  }

  static void apply(UnikernelSpec spec) {
    if (spec == null) {
      return;
    }
    UnikernelSpec d = new UnikernelSpec();
    if (spec.bootArgs == null) {
      spec.bootArgs = new ArrayList<>();
    }
    if (spec.port == null) {
      spec.port = d.port;
    }
    if (spec.deletionPolicy == null) {
      spec.deletionPolicy = d.deletionPolicy;
    }
    if (spec.revisionHistoryLimit == null) {
      spec.revisionHistoryLimit = d.revisionHistoryLimit;
    }
    if (spec.scaling == null) {
      spec.scaling = new ScalingSpec();
    }
    ScalingSpec s = new ScalingSpec();
    if (spec.scaling.minReplicas == null) {
      spec.scaling.minReplicas = s.minReplicas;
    }
    if (spec.scaling.maxReplicas == null) {
      spec.scaling.maxReplicas = Math.max(s.maxReplicas, spec.scaling.minReplicas);
    }
    autoscaling(spec.scaling, s);
    if (spec.healthCheck == null) {
      spec.healthCheck = new HealthCheckSpec();
    }
    HealthCheckSpec h = new HealthCheckSpec();
    if (spec.healthCheck.maxConcurrentRepairs == null) {
      spec.healthCheck.maxConcurrentRepairs = new io.fabric8.kubernetes.api.model.IntOrString(MAX_CONCURRENT_REPAIRS);
    }
    if (spec.healthCheck.http == null && spec.healthCheck.tcp == null) {
      spec.healthCheck.http = new HealthCheckSpec.HttpProbe();
    }
    if (spec.healthCheck.http != null) {
      HealthCheckSpec.HttpProbe hd = new HealthCheckSpec.HttpProbe();
      if (spec.healthCheck.http.path == null) {
        spec.healthCheck.http.path = hd.path;
      }
      if (spec.healthCheck.http.expectedStatus == null) {
        spec.healthCheck.http.expectedStatus = hd.expectedStatus;
      }
    }
    if (spec.healthCheck.successThreshold == null) {
      spec.healthCheck.successThreshold = h.successThreshold;
    }
    if (spec.healthCheck.startupDeadlineSeconds == null) {
      spec.healthCheck.startupDeadlineSeconds = h.startupDeadlineSeconds;
    }
    if (spec.healthCheck.maxUnhealthyPercent == null) {
      spec.healthCheck.maxUnhealthyPercent = h.maxUnhealthyPercent;
    }
    if (spec.healthCheck.periodSeconds == null) {
      spec.healthCheck.periodSeconds = h.periodSeconds;
    }
    if (spec.healthCheck.timeoutSeconds == null) {
      spec.healthCheck.timeoutSeconds = h.timeoutSeconds;
    }
    if (spec.healthCheck.failureThreshold == null) {
      spec.healthCheck.failureThreshold = h.failureThreshold;
    }
    if (spec.rollout == null) {
      spec.rollout = new io.dustcloud.api.v1alpha1.RolloutSpec();
    }
    io.dustcloud.api.v1alpha1.RolloutSpec r = new io.dustcloud.api.v1alpha1.RolloutSpec();
    if (spec.rollout.progressDeadlineSeconds == null) {
      spec.rollout.progressDeadlineSeconds = r.progressDeadlineSeconds;
    }
    if (spec.rollout.verificationSeconds == null) {
      spec.rollout.verificationSeconds = r.verificationSeconds;
    }
    if (spec.rollout.keepPreviousSeconds == null) {
      spec.rollout.keepPreviousSeconds = r.keepPreviousSeconds;
    }
    if (spec.rollout.autoRollback == null) {
      spec.rollout.autoRollback = r.autoRollback;
    }
    if (spec.image != null && spec.image.format == null) {
      spec.image.format = io.dustcloud.api.v1alpha1.ArtifactFormat.unix;
    }
    if (spec.build != null && spec.build.target == null) {
      spec.build.target = io.dustcloud.api.v1alpha1.ArtifactFormat.unix;
    }
    if (spec.provider != null && spec.provider.local != null && spec.provider.local.runtime == null) {
      spec.provider.local.runtime = io.dustcloud.api.v1alpha1.LocalProviderSpec.Runtime.process;
    }
  }
}
