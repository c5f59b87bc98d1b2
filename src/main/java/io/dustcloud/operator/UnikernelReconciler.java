package io.dustcloud.operator;

import io.dustcloud.core.Reason;
import io.dustcloud.api.v1alpha1.ArtifactFormat;
import io.dustcloud.api.v1alpha1.Unikernel;
import io.dustcloud.api.v1alpha1.UnikernelRevision;
import io.dustcloud.api.v1alpha1.UnikernelRevisionSpec;
import io.dustcloud.api.v1alpha1.UnikernelSpec;
import io.dustcloud.api.v1alpha1.UnikernelStatus;
import io.dustcloud.build.ArtifactResolution;
import io.dustcloud.binding.Bindings;
import io.dustcloud.binding.ProviderBinding;
import io.dustcloud.core.rollout.RevisionCounts;
import io.dustcloud.core.rollout.RevisionRollout;
import io.dustcloud.core.rollout.RolloutDecision;
import io.dustcloud.core.autoscale.ScaleDecision;
import io.dustcloud.provider.DesiredFleet;
import io.dustcloud.provider.FleetId;
import io.dustcloud.provider.FleetObservation;
import io.dustcloud.provider.FleetProvider;
import io.dustcloud.provider.InstanceState;
import io.dustcloud.provider.InstanceView;
import io.dustcloud.provider.ProviderException;
import io.dustcloud.provider.RevisionImage;
import io.dustcloud.core.health.HealthPolicy;
import io.dustcloud.core.health.Repair;
import io.dustcloud.supervisor.FleetHealth;
import io.dustcloud.supervisor.FleetListener;
import io.dustcloud.supervisor.ProbeSpec;
import io.dustcloud.supervisor.Supervisors;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.event.source.inbound.SimpleInboundEventSource;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reconciles a {@link Unikernel} in fixed steps: observe → validate → decide → act → record
 * status. Decisions come from pure code ({@link RevisionModel}, {@link RevisionRollout},
 * {@link FleetStatusModel}); side effects go through the provider SPI, {@link RevisionStore}
 * and {@link EventRecorder}.
 */
public class UnikernelReconciler implements Reconciler<Unikernel>, Cleaner<Unikernel> {
  private static final Logger log = LoggerFactory.getLogger(UnikernelReconciler.class);
  static final Duration RESYNC = Duration.ofSeconds(30);
  /** Retry after a transient provider failure. */
  static final Duration PROGRESS_POLL = Duration.ofSeconds(2);
  /**
   * Safety net while a fleet is not Ready. Progress itself is event-driven: the supervisor
   * wakes the reconciler when an instance appears, changes state or passes its probes, and a
   * rollout's deadlines come back as {@code recheckAt}. Polling every 2 s instead cost 500
   * reconciles a second with 1,000 fleets starting at once.
   */
  static final Duration NOT_READY_RESYNC = Duration.ofSeconds(10);
  static final Duration BUILD_POLL = Duration.ofSeconds(1);

  private final Bindings providers;
  private final Supervisors supervisors;
  private final RevisionStore revisions;
  private final EventRecorder events;
  private final FleetMetrics metrics;
  private final StatusWriter statusWriter;
  private final RevisionHistory revisionHistory;
  private final Clock clock;
  private final SimpleInboundEventSource<Unikernel> wakeups = new SimpleInboundEventSource<>("supervisor");
  /** The last version of each fleet's Unikernel seen, so supervisor events name the right object. */
  private final Map<FleetId, Unikernel> lastSeen = new java.util.concurrent.ConcurrentHashMap<>();

  public UnikernelReconciler(
      Bindings providers,
      Supervisors supervisors,
      RevisionStore revisions,
      EventRecorder events,
      FleetMetrics metrics,
      StatusWriter statusWriter,
      Clock clock) {
    this.providers = providers;
    this.supervisors = supervisors;
    this.revisions = revisions;
    this.events = events;
    this.metrics = metrics;
    this.statusWriter = statusWriter;
    this.revisionHistory = new RevisionHistory(revisions, providers);
    this.clock = clock;
    supervisors.listener(new FleetListener() {
      @Override
      public void changed(FleetId f) {
        wakeups.propagateEvent(new ResourceID(f.name(), f.namespace()));
      }

      @Override
      public void repaired(FleetId f, Repair r) {
        Unikernel uk = lastSeen.get(f);
        if (uk != null) {
          events.warning(uk, Reason.INSTANCE_REPAIRED,
              "replaced instance " + r.instanceId() + " of " + r.revision() + ": " + r.reason());
        }
      }

      @Override
      public void repairFailed(FleetId f, Repair r, String error) {
        Unikernel uk = lastSeen.get(f);
        if (uk != null) {
          events.warning(uk, Reason.REPAIR_FAILED,
              "could not replace instance " + r.instanceId() + " (" + r.reason() + "): " + error);
        }
      }
    });
  }

  @Override
  public List<EventSource<?, Unikernel>> prepareEventSources(EventSourceContext<Unikernel> context) {
    var revisionInformer =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(UnikernelRevision.class, Unikernel.class).build(), context);
    revisions.onWrite((before, after) -> {
      ResourceID id = ResourceID.fromResource(after);
      if (before == null) {
        revisionInformer.handleRecentResourceCreate(id, after);
      } else {
        revisionInformer.handleRecentResourceUpdate(id, after, before);
      }
    });
    return List.of(revisionInformer, BuildJobEventSource.create(context), wakeups);
  }

  @Override
  public UpdateControl<Unikernel> reconcile(Unikernel uk, Context<Unikernel> context) {
    // observe
    FleetId fleet = fleetId(uk);
    lastSeen.put(fleet, uk);
    long generation = generation(uk);
    Instant now = clock.instant();
    UnikernelStatus stored = uk.getStatus();
    UnikernelStatus status = stored == null ? new UnikernelStatus() : Json.copy(stored, UnikernelStatus.class);
    Collection<UnikernelRevision> known = context.getSecondaryResources(UnikernelRevision.class);

    // validate
    SpecDefaults.apply(uk.getSpec());
    List<String> problems = SpecValidator.validate(uk.getSpec());
    if (!problems.isEmpty()) {
      return stall(context, uk, stored, status, Reason.INVALID_SPEC, String.join("; ", problems), now);
    }
    UnikernelSpec spec = uk.getSpec();
    Optional<ProviderBinding> maybeBinding = providers.forSpec(spec.provider);
    if (maybeBinding.isEmpty()) {
      return stall(context, uk, stored, status, Reason.PROVIDER_NOT_CONFIGURED,
          "provider '" + Bindings.nameOf(spec.provider) + "' is not configured in this operator"
              + " (configured: " + providers.configuredNames() + ")", now);
    }
    ProviderBinding binding = maybeBinding.get();
    FleetProvider provider = binding.provider();

    // decide: which revisions, and are their artifacts there?
    boolean[] created = {false};
    UnikernelRevision latest = revisions.ensure(RevisionModel.desired(uk), known, created);
    if (created[0]) {
      events.normal(uk, Reason.REVISION_CREATED, "created revision " + latest.getMetadata().getName());
    }
    Map<String, UnikernelRevision> byName = new HashMap<>();
    known.forEach(r -> byName.put(r.getMetadata().getName(), r));
    byName.put(latest.getMetadata().getName(), latest);
    UnikernelRevision pinned = null;
    if (spec.revision != null) {
      pinned = byName.get(spec.revision);
      if (pinned == null || recordedSha(pinned) == null) {
        return stall(context, uk, stored, status, Reason.REVISION_NOT_FOUND, "spec.revision names " + spec.revision
            + (pinned == null ? ", which does not exist" : ", whose artifact was never resolved")
            + "; retained revisions: " + retained(byName.values()) + ". Nothing was changed.", now);
      }
    } else {
      UpdateControl<Unikernel> notReady = resolveArtifact(context, uk, stored, status, binding, latest, byName, now);
      if (notReady != null) {
        return notReady;
      }
      latest = byName.get(latest.getMetadata().getName());
    }
    Map<String, RevisionImage> images = new HashMap<>();
    for (UnikernelRevision r : byName.values()) {
      String sha = recordedSha(r);
      if (sha != null) {
        images.put(r.getMetadata().getName(), binding.image(r, r.getStatus().artifact.url, sha));
      }
    }
    String latestName = latest.getMetadata().getName();
    if (pinned == null && images.containsKey(latestName)) {
      String unsupported = provider.unsupportedReason(images.get(latestName));
      if (unsupported != null) {
        return stall(context, uk, stored, status, Reason.PROVIDER_UNSUPPORTED, unsupported, now);
      }
    }

    // decide: desired instances per revision
    FleetHealth health = supervisors.health(fleet);
    ScaleDecision scale = supervisors.scale(fleet);
    Integer storedDesired = stored == null ? null : stored.desiredReplicas;
    int desiredTotal = AutoscaleSpecs.desiredTotal(spec.scaling, scale, storedDesired);
    FleetObservation observed;
    RolloutDecision decision;
    try {
      provider.locate(fleet, binding.settings(spec.provider));
      observed = provider.observe(fleet);
      decision = RevisionRollout.decide(latestName, pinned == null ? null : pinned.getMetadata().getName(),
          RolloutStatus.state(stored), RolloutStatus.policy(spec.rollout), desiredTotal,
          counts(observed, health, byName.values()), unhealthy(health), now);
      if (!images.containsKey(decision.state().update())) {
        return stall(context, uk, stored, status, Reason.REVISION_NOT_FOUND, "revision "
            + decision.state().update() + " is gone (garbage-collected?); retained: " + retained(byName.values()), now);
      }
      Map<String, DesiredFleet.Target> targets = new LinkedHashMap<>();
      decision.desired().forEach((rev, n) -> {
        if (images.containsKey(rev)) {
          targets.put(rev, new DesiredFleet.Target(images.get(rev), n));
        }
      });

      // act
      int before = observed.instances().size();
      observed = provider.realize(new DesiredFleet(fleet, targets));
      supervisors.ensure(fleet, provider, probeSpec(spec), stored == null || stored.restarts == null ? 0 : stored.restarts,
          AutoscaleSpecs.from(spec), desiredTotal);
      supervisors.serve(fleet, decision.serving());
      if (observed.instances().size() != before) {
        events.normal(uk, Reason.SCALED,
            "fleet has " + observed.instances().size() + " instances (was " + before + "), desired " + desiredTotal);
      }
    } catch (ProviderException e) {
      log.warn("fleet {}: provider {} failed: {}", fleet, provider.name(), e.getMessage());
      if (!e.retryable()) {
        return stall(context, uk, stored, status, e.reason(), e.getMessage(), now);
      }
      FleetStatusModel.progressing(status, generation, e.reason(), e.getMessage(), now);
      return write(context, uk, stored, status).rescheduleAfter(PROGRESS_POLL);
    }
    revisionHistory.record(uk, byName.values(), decision, health, observed, now);

    // record status
    String target = decision.state().update();
    Map<String, Integer> running = running(observed, known);
    Map<String, Integer> ready = ready(observed, health);
    java.util.Set<String> standby = decision.state().promoted() == null ? java.util.Set.of()
        : decision.desired().keySet().stream().filter(r -> !r.equals(target)).collect(java.util.stream.Collectors.toSet());
    FleetStatusModel.apply(status, generation, target, desiredTotal, running, ready,
        observed.endpoint().orElse(null), standby, now);
    RolloutStatus.record(status, decision, generation, now);
    FleetStatusModel.health(status, generation, health, now);
    if (FleetStatusModel.scaling(status, generation, storedDesired, desiredTotal, scale, spec.scaling, now)) {
      boolean up = desiredTotal > storedDesired;
      events.normal(uk, up ? Reason.SCALED_UP : Reason.SCALED_DOWN,
          "desired " + storedDesired + " -> " + desiredTotal + ": " + status.lastScaleReason);
    }
    metrics.record(fleet, desiredTotal, status.replicas, status.readyReplicas);
    announceTransitions(uk, stored, status);
    announceRollout(uk, stored, decision);
    boolean ready0 = StatusConditions.isTrue(status.conditions, Conditions.READY);
    Duration next = ready0 ? RESYNC : NOT_READY_RESYNC;
    if (decision.recheckAt() != null) {
      Duration untilRecheck = Duration.between(now, decision.recheckAt()).plusMillis(50);
      next = untilRecheck.compareTo(next) < 0 ? untilRecheck : next;
    }
    return write(context, uk, stored, status).rescheduleAfter(next);
  }

  /**
   * Resolves the artifact of {@code rev} and records it (the written revision replaces {@code
   * rev} in {@code byName}; the cached copy is left alone); returns the update to return when the
   * fleet has to wait (a build is running) or stall (the artifact cannot be had), else null.
   */
  private UpdateControl<Unikernel> resolveArtifact(
      Context<Unikernel> context, Unikernel uk, UnikernelStatus stored, UnikernelStatus status, ProviderBinding binding, UnikernelRevision rev,
      Map<String, UnikernelRevision> byName, Instant now) {
    ArtifactResolution resolution = binding.artifacts().resolve(rev);
    if (resolution instanceof ArtifactResolution.Failed f) {
      revisions.recordNotBuilt(rev, Conditions.FALSE, f.reason(), f.message(), now);
      return stall(context, uk, stored, status, f.reason(), f.message(), now);
    }
    if (resolution instanceof ArtifactResolution.Pending p) {
      revisions.recordNotBuilt(rev, Conditions.UNKNOWN, p.reason(), p.message(), now);
      FleetStatusModel.progressing(status, generation(uk), p.reason(), p.message(), now);
      return write(context, uk, stored, status).rescheduleAfter(BUILD_POLL);
    }
    var resolved = (ArtifactResolution.Resolved) resolution;
    if (recordedSha(rev) == null) {
      UnikernelRevision updated = revisions.recordArtifact(rev, resolved.location(), resolved.sha256(),
          resolved.buildKey(), format(rev.getSpec()), now);
      byName.put(updated.getMetadata().getName(), updated);
      events.normal(uk, resolved.built() ? Reason.BUILD_SUCCEEDED : Reason.ARTIFACT_RESOLVED,
          "revision " + rev.getMetadata().getName() + " runs sha256:" + resolved.sha256());
    }
    return null;
  }

  /** Events for rollout milestones: a new rollout, a promotion, an automatic rollback. */
  private void announceRollout(Unikernel uk, UnikernelStatus stored, RolloutDecision decision) {
    var s = decision.state();
    FleetId fleet = fleetId(uk);
    if (decision.rolledBack() != null) {
      metrics.rollout(fleet, "rolled_back");
      events.warning(uk, Reason.ROLLED_BACK, "rolled back from " + s.failed() + " to " + s.update() + ": "
          + decision.rolledBack());
      return;
    }
    String before = stored == null ? null : stored.updateRevision;
    if (before != null && !before.equals(s.update())) {
      metrics.rollout(fleet, "started");
      events.normal(uk, Reason.ROLLOUT_STARTED, "rolling from " + before + " to " + s.update());
    }
    boolean wasPromoted = stored != null && stored.promotedTime != null && s.update().equals(before);
    if (s.promoted() != null && !wasPromoted && before != null) {
      metrics.rollout(fleet, "promoted");
      events.normal(uk, Reason.ROLLOUT_COMPLETE, "revision " + s.update() + " serves every instance");
    }
  }

  private static Map<String, RevisionCounts> counts(
      FleetObservation observed, FleetHealth health, Collection<UnikernelRevision> known) {
    Map<String, RevisionCounts> counts = new LinkedHashMap<>();
    Map<String, Integer> running = running(observed, known);
    Map<String, Integer> ready = ready(observed, health);
    running.forEach((rev, n) -> counts.put(rev, new RevisionCounts(n, Math.min(n, ready.getOrDefault(rev, 0)))));
    return counts;
  }

  private static Map<String, Integer> unhealthy(FleetHealth health) {
    Map<String, Integer> counts = new HashMap<>();
    health.unhealthy().forEach(r -> counts.merge(r.revision(), 1, Integer::sum));
    return counts;
  }

  private static String retained(Collection<UnikernelRevision> revisions) {
    return revisions.isEmpty() ? "none"
        : RevisionStore.oldestFirst(revisions).stream().map(r -> r.getMetadata().getName())
            .collect(java.util.stream.Collectors.joining(", "));
  }

  /**
   * An unexpected error (an API call failed): JOSDK retries with backoff; the status says what
   * failed so nobody has to read operator logs to find out.
   */
  @Override
  public ErrorStatusUpdateControl<Unikernel> updateErrorStatus(
      Unikernel uk, Context<Unikernel> context, Exception e) {
    UnikernelStatus status = uk.getStatus() == null ? new UnikernelStatus() : Json.copy(uk.getStatus(), UnikernelStatus.class);
    String message = e.getClass().getSimpleName() + ": " + (e.getMessage() == null ? "" : e.getMessage());
    FleetStatusModel.progressing(status, generation(uk), Reason.RECONCILE_ERROR,
        message.length() > 1000 ? message.substring(0, 1000) : message, clock.instant());
    // a conflict only means the object changed under us: the retry will see the new version
    boolean conflict = isConflict(e);
    if (!conflict && !Json.same(uk.getStatus(), status)) {
      try {
        statusWriter.write(uk, status, context);
      } catch (KubernetesClientException writeFailed) {
        log.warn("fleet {}: could not record the error in status: {}", fleetId(uk), writeFailed.getMessage());
      }
    }
    return ErrorStatusUpdateControl.noStatusUpdate();
  }

  /** A 409 anywhere in the cause chain (JOSDK wraps what the reconciler threw). */
  static boolean isConflict(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof KubernetesClientException k && k.getCode() == HttpURLConnection.HTTP_CONFLICT) {
        return true;
      }
    }
    return false;
  }

  @Override
  public DeleteControl cleanup(Unikernel uk, Context<Unikernel> context) {
    FleetId fleet = fleetId(uk);
    supervisors.stop(fleet);
    metrics.remove(fleet);
    lastSeen.remove(fleet);
    Optional<ProviderBinding> binding =
        uk.getSpec() == null || uk.getSpec().provider == null ? Optional.empty() : providers.forSpec(uk.getSpec().provider);
    Optional<FleetProvider> provider = binding.map(ProviderBinding::provider);
    try {
      if (provider.isPresent()) {
        provider.get().locate(fleet, binding.get().settings(uk.getSpec().provider));
        if (uk.getSpec().deletionPolicy == UnikernelSpec.DeletionPolicy.Orphan) {
          provider.get().release(fleet);
          events.normal(uk, Reason.FLEET_ORPHANED, "deletionPolicy Orphan: instances left running");
        } else {
          provider.get().delete(fleet);
          events.normal(uk, Reason.FLEET_DELETED, "all instances deleted");
        }
      }
      revisions.deleteAll(uk);
    } catch (ProviderException e) {
      log.warn("fleet {}: delete failed, will retry: {}", fleet, e.getMessage());
      events.warning(uk, Reason.PROVIDER_ERROR, "deleting the fleet failed: " + e.getMessage());
      return DeleteControl.noFinalizerRemoval().rescheduleAfter(PROGRESS_POLL);
    }
    return DeleteControl.defaultDelete();
  }

  private UpdateControl<Unikernel> stall(
      Context<Unikernel> context, Unikernel uk, UnikernelStatus stored, UnikernelStatus status, Reason reason, String message, Instant now) {
    FleetStatusModel.stalled(status, generation(uk), reason, message, now);
    announceTransitions(uk, stored, status);
    return write(context, uk, stored, status);
  }

  /** Events for condition flips, so an SRE reading {@code kubectl describe} sees each step once. */
  private void announceTransitions(Unikernel uk, UnikernelStatus stored, UnikernelStatus status) {
    var before = stored == null ? List.<io.dustcloud.api.v1alpha1.Condition>of() : stored.conditions;
    var stalled = StatusConditions.find(status.conditions, Conditions.STALLED);
    var wasStalled = StatusConditions.find(before, Conditions.STALLED);
    if (stalled != null && Conditions.TRUE.equals(stalled.status)
        && (wasStalled == null || !Conditions.TRUE.equals(wasStalled.status)
            || !java.util.Objects.equals(wasStalled.message, stalled.message))) {
      events.warning(uk, Reason.read(stalled.reason), stalled.message);
    }
    if (StatusConditions.isTrue(status.conditions, Conditions.READY) && !StatusConditions.isTrue(before, Conditions.READY)) {
      var ready = StatusConditions.find(status.conditions, Conditions.READY);
      events.normal(uk, Reason.read(ready.reason), ready.message);
    }
  }

  /** Status is written only when it changed, to keep API writes bounded. */
  private UpdateControl<Unikernel> write(
      Context<Unikernel> context, Unikernel uk, UnikernelStatus stored, UnikernelStatus status) {
    if (stored == null || !Json.same(stored, status)) {
      statusWriter.write(uk, status, context);
    }
    return UpdateControl.noUpdate();
  }

  private static Map<String, Integer> running(FleetObservation observed, Collection<UnikernelRevision> known) {
    // oldest revision first, so the rollout keeps the newest old revision longest
    Map<String, Integer> counts = new LinkedHashMap<>();
    for (UnikernelRevision r : RevisionStore.oldestFirst(known)) {
      long n = observed.count(r.getMetadata().getName());
      if (n > 0) {
        counts.put(r.getMetadata().getName(), (int) n);
      }
    }
    for (InstanceView i : observed.instances()) {
      counts.putIfAbsent(i.revision(), (int) observed.count(i.revision()));
    }
    return counts;
  }

  private static Map<String, Integer> ready(FleetObservation observed, FleetHealth health) {
    Map<String, Integer> counts = new HashMap<>();
    for (InstanceView i : observed.instances()) {
      if (i.state() != InstanceState.FAILED && health.isReady(i.id())) {
        counts.merge(i.revision(), 1, Integer::sum);
      }
    }
    return counts;
  }

  private static ArtifactFormat format(UnikernelRevisionSpec s) {
    if (s.image != null) {
      return s.image.format;
    }
    return s.build.target;
  }

  private static String recordedSha(UnikernelRevision rev) {
    return rev.getStatus() == null || rev.getStatus().artifact == null ? null : rev.getStatus().artifact.sha256;
  }

  static ProbeSpec probeSpec(UnikernelSpec spec) {
    var hc = spec.healthCheck;
    ProbeSpec.Kind kind = hc.tcp != null ? ProbeSpec.Kind.TCP : ProbeSpec.Kind.HTTP;
    String path = hc.http == null ? "/" : hc.http.path;
    String[] range = (hc.http == null ? "200-399" : hc.http.expectedStatus).split("-");
    int min = Integer.parseInt(range[0]);
    int max = Integer.parseInt(range[range.length - 1]);
    HealthPolicy d = HealthPolicy.DEFAULT;
    HealthPolicy policy = new HealthPolicy(hc.failureThreshold, hc.successThreshold,
        Duration.ofSeconds(hc.startupDeadlineSeconds), d.maxConcurrentRepairs(), hc.maxUnhealthyPercent / 100.0,
        d.backoffBase(), d.backoffMax(), d.repairsWithoutRecovery());
    String repairs = hc.maxConcurrentRepairs == null ? "25%"
        : hc.maxConcurrentRepairs.getIntVal() != null ? hc.maxConcurrentRepairs.getIntVal().toString()
        : hc.maxConcurrentRepairs.getStrVal();
    return new ProbeSpec(kind, path, min, max, Duration.ofSeconds(hc.periodSeconds),
        Duration.ofSeconds(hc.timeoutSeconds), policy, repairs);
  }


  static FleetId fleetId(Unikernel uk) {
    return new FleetId(uk.getMetadata().getNamespace(), uk.getMetadata().getName());
  }

  private static long generation(Unikernel uk) {
    return uk.getMetadata().getGeneration() == null ? 0 : uk.getMetadata().getGeneration();
  }
}
