package io.dustcloud.operator;

import io.dustcloud.supervisor.SupervisionSpec;
import io.dustcloud.api.v1alpha1.HealthCheckSpec;
import io.dustcloud.api.v1alpha1.UnikernelSpec;
import io.dustcloud.api.v1alpha1.UnikernelStatus;
import io.dustcloud.core.health.HealthPolicy;
import io.dustcloud.provider.FleetProvider;
import io.dustcloud.supervisor.ProbeSpec;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Translates a spec, defaulted by {@link SpecDefaults} and valid, into what the supervisor runs: how to probe and repair,
 * how to autoscale ({@link AutoscaleSpecs}), which revisions serve, and — for a supervisor that
 * starts now — the size and repair count the stored status remembers. Pure.
 */
final class SupervisionSpecs {
  private SupervisionSpecs() {}

  /**
   * @param serving revisions whose ready instances receive traffic; null for all
   */
  static SupervisionSpec of(UnikernelSpec spec, UnikernelStatus stored, FleetProvider provider, Set<String> serving) {
    long restarts = stored == null || stored.restarts == null ? 0 : stored.restarts;
    int initial = stored != null && stored.desiredReplicas != null ? stored.desiredReplicas : spec.scaling.minReplicas;
    return new SupervisionSpec(provider, probe(spec), AutoscaleSpecs.from(spec), serving, restarts, initial);
  }

  /**
   * Which revisions serve according to the stored rollout, before this reconcile decides again:
   * only the promoted one once promoted; while rolling every retained revision but a failed one.
   * The plan's own choice replaces it in the same reconcile when it differs.
   */
  static Set<String> storedServing(UnikernelStatus stored, Set<String> retained) {
    if (stored == null) {
      return null;
    }
    // a status naming a revision that is not this Unikernel's is not believed (StatusTrust)
    if (stored.promotedTime != null && stored.updateRevision != null && retained.contains(stored.updateRevision)) {
      return Set.of(stored.updateRevision);
    }
    Set<String> serving = new LinkedHashSet<>(retained);
    if (stored.failedRevision != null) {
      serving.remove(stored.failedRevision);
    }
    return serving;
  }

  static ProbeSpec probe(UnikernelSpec spec) {
    HealthCheckSpec hc = spec.healthCheck;
    ProbeSpec.Kind kind = hc.tcp != null ? ProbeSpec.Kind.TCP : ProbeSpec.Kind.HTTP;
    String path = hc.http == null ? "/" : hc.http.path;
    // a TCP check has no status; the range is the HTTP default and unused
    StatusRange expected = StatusRange.parse((hc.http == null ? new HealthCheckSpec.HttpProbe() : hc.http).expectedStatus);
    HealthPolicy d = HealthPolicy.DEFAULT;
    HealthPolicy policy = new HealthPolicy(hc.failureThreshold, hc.successThreshold,
        Duration.ofSeconds(hc.startupDeadlineSeconds), d.maxConcurrentRepairs(), hc.maxUnhealthyPercent / 100.0,
        d.backoffBase(), d.backoffMax(), d.repairsWithoutRecovery());
    String repairs = hc.maxConcurrentRepairs.getIntVal() != null ? hc.maxConcurrentRepairs.getIntVal().toString()
        : hc.maxConcurrentRepairs.getStrVal();
    return new ProbeSpec(kind, path, expected.min(), expected.max(), Duration.ofSeconds(hc.periodSeconds),
        Duration.ofSeconds(hc.timeoutSeconds), policy, repairs);
  }

  /**
   * How the fleet is served, for its provider's endpoint: the port, the operator's own health
   * check, and the fleet's current provider settings (which carry fleet-level settings such as
   * GCE's load balancer that no revision holds).
   */
  static io.dustcloud.provider.FleetService service(UnikernelSpec spec, io.dustcloud.binding.ProviderBinding binding) {
    HealthCheckSpec hc = spec.healthCheck;
    io.dustcloud.provider.FleetService.Check check = new io.dustcloud.provider.FleetService.Check(
        hc.tcp != null ? null : (hc.http == null ? new HealthCheckSpec.HttpProbe() : hc.http).path,
        hc.periodSeconds, hc.timeoutSeconds, hc.successThreshold, hc.failureThreshold, hc.startupDeadlineSeconds);
    return new io.dustcloud.provider.FleetService(
        spec.port == null ? io.dustcloud.provider.RevisionImage.DEFAULT_PORT : spec.port,
        spec.scaling == null ? null : spec.scaling.metricsPort, check,
        binding == null ? null : binding.settings(spec.provider));
  }

  /**
   * An HTTP status range as the CRD spells it: {@code 200} or {@code 200-399} (the schema's
   * pattern admits nothing else; {@link SpecValidator} checks the order).
   */
  record StatusRange(int min, int max) {
    static StatusRange parse(String text) {
      int dash = text.indexOf('-');
      return dash < 0 ? new StatusRange(Integer.parseInt(text), Integer.parseInt(text))
          : new StatusRange(Integer.parseInt(text.substring(0, dash)), Integer.parseInt(text.substring(dash + 1)));
    }
  }
}
