package io.dustcloud.operator;

import io.dustcloud.binding.Bindings;
import io.dustcloud.supervisor.Supervision;
import io.dustcloud.api.v1alpha1.Unikernel;
import io.dustcloud.api.v1alpha1.UnikernelRevision;
import io.dustcloud.api.v1alpha1.UnikernelStatus;
import io.dustcloud.core.Reason;
import io.dustcloud.core.health.Repair;
import io.dustcloud.provider.FleetId;
import io.dustcloud.supervisor.FleetListener;
import io.dustcloud.supervisor.Supervisors;
import io.fabric8.kubernetes.client.KubernetesClientException;
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
import io.javaoperatorsdk.operator.processing.event.source.inbound.SimpleInboundEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.net.HttpURLConnection;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JOSDK reconciler of {@link Unikernel}s — the spine only: it runs the reconcile pipeline
 * (gate-spec → resolve-revision → observe → plan → act → record-revisions, docs/design.md),
 * computes the status from the pipeline's facts ({@link FleetStatus}), announces what changed
 * ({@link StatusEvents}), writes the status when it changed and says when to look again.
 */
public class UnikernelReconciler implements Reconciler<Unikernel>, Cleaner<Unikernel> {
  private static final Logger log = LoggerFactory.getLogger(UnikernelReconciler.class);
  static final Duration RESYNC = Duration.ofSeconds(30);
  /**
   * Safety net while a fleet is not Ready. Progress itself is event-driven: the supervisor
   * wakes the reconciler when an instance appears, changes state or passes its probes, and a
   * rollout's deadlines come back as {@code recheckAt}. Polling every 2 s instead cost 500
   * reconciles a second with 1,000 fleets starting at once.
   */
  static final Duration NOT_READY_RESYNC = Duration.ofSeconds(10);

  private final FleetDeletion deletion;
  private final RevisionStore revisions;
  private final FleetEvents events;
  private final FleetMetrics metrics;
  private final StatusWriter statusWriter;
  private final Supervisors supervisors;
  private final ReconcilePipeline pipeline;
  private final Clock clock;
  private final InvalidObjects invalid;
  private final SimpleInboundEventSource<Unikernel> wakeups = new SimpleInboundEventSource<>("supervisor");
  /** The last version of each fleet's Unikernel seen, so supervisor events name the right object. */
  private final Map<FleetId, Unikernel> lastSeen = new ConcurrentHashMap<>();

  public UnikernelReconciler(
      Bindings bindings,
      Supervisors supervisors,
      RevisionStore revisions,
      EventRecorder events,
      FleetMetrics metrics,
      StatusWriter statusWriter,
      Clock clock) {
    this.deletion = new FleetDeletion(bindings, revisions, events);
    this.revisions = revisions;
    this.events = events;
    this.metrics = metrics;
    this.statusWriter = statusWriter;
    this.supervisors = supervisors;
    this.clock = clock;
    this.invalid = new InvalidObjects(events);
    this.pipeline = pipeline(bindings, supervisors, revisions, events);
    supervisors.listener(new SupervisorEvents());
  }

  /** The reconcile's steps, in order; tests build the same pipeline over fakes. */
  static ReconcilePipeline pipeline(Bindings bindings, Supervision supervision, Revisions revisions,
      FleetEvents events) {
    return new ReconcilePipeline(List.<ReconcileStep>of(
        new GateSpec(bindings),
        new ResolveRevision(revisions, events),
        new ObserveFleet(supervision),
        new PlanRollout(events),
        new ActOnFleet(supervision, events),
        new RevisionHistory(revisions)));
  }

  @Override
  public List<EventSource<?, Unikernel>> prepareEventSources(EventSourceContext<Unikernel> context) {
    var revisionInformer = new InformerEventSource<>(
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
    FleetReconcile r = new FleetReconcile(uk, context.getSecondaryResources(UnikernelRevision.class), clock.instant());
    lastSeen.put(r.fleet, uk);
    invalid.report(uk, r.known);
    StepResult result = pipeline.run(r);
    FleetFacts facts = FleetFacts.of(r, result);
    UnikernelStatus next = FleetStatus.compute(r.stored, facts);
    if (facts.outcome() instanceof FleetFacts.Observed o) {
      metrics.record(r.fleet, o.desired(), next.replicas, next.readyReplicas);
    }
    announce(uk, r.stored, next);
    write(context, uk, r.stored, next);
    return requeue(result, r, next);
  }

  /** When to look again: a wait's own delay; a stall only on change; else by readiness and deadlines. */
  static UpdateControl<Unikernel> requeue(StepResult result, FleetReconcile r, UnikernelStatus next) {
    if (result instanceof StepResult.Wait w) {
      return UpdateControl.<Unikernel>noUpdate().rescheduleAfter(w.requeue());
    }
    if (result instanceof StepResult.Stall s) {
      // an object squatting a revision's name may carry no reference to this Unikernel: its
      // deletion wakes nobody, so a conflict is looked at again (a resync, no retry storm)
      return s.reason() == Reason.REVISION_CONFLICT ? UpdateControl.<Unikernel>noUpdate().rescheduleAfter(RESYNC)
          : UpdateControl.noUpdate();
    }
    Duration after = StatusConditions.isTrue(next.conditions, Conditions.READY) ? RESYNC : NOT_READY_RESYNC;
    if (r.decision.recheckAt() != null) {
      Duration untilRecheck = Duration.between(r.now, r.decision.recheckAt()).plusMillis(50);
      after = untilRecheck.compareTo(after) < 0 ? untilRecheck : after;
    }
    return UpdateControl.<Unikernel>noUpdate().rescheduleAfter(after);
  }

  private void announce(Unikernel uk, UnikernelStatus before, UnikernelStatus after) {
    for (StatusEvents.StatusEvent e : StatusEvents.diff(before, after)) {
      if (e.rollout() != null) {
        metrics.rollout(FleetReconcile.fleetId(uk), e.rollout());
      }
      if (e.warning()) {
        events.warning(uk, e.reason(), e.message());
      } else {
        events.normal(uk, e.reason(), e.message());
      }
    }
  }

  /**
   * An unexpected error (an API call failed): JOSDK retries with backoff; the status says what
   * failed so nobody has to read operator logs to find out.
   */
  @Override
  public ErrorStatusUpdateControl<Unikernel> updateErrorStatus(Unikernel uk, Context<Unikernel> context, Exception e) {
    String message = e.getClass().getSimpleName() + ": " + (e.getMessage() == null ? "" : e.getMessage());
    long generation = uk.getMetadata().getGeneration() == null ? 0 : uk.getMetadata().getGeneration();
    UnikernelStatus status = FleetStatus.compute(uk.getStatus(), new FleetFacts(generation, clock.instant(),
        new FleetFacts.Progressing(Reason.RECONCILE_ERROR, message.length() > 1000 ? message.substring(0, 1000) : message)));
    // a conflict only means the object changed under us: the retry will see the new version
    if (!isConflict(e) && !Json.same(uk.getStatus(), status)) {
      try {
        statusWriter.write(uk, status, context);
      } catch (KubernetesClientException writeFailed) {
        log.warn("fleet {}: could not record the error in status: {}", FleetReconcile.fleetId(uk), writeFailed.getMessage());
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
    FleetId fleet = FleetReconcile.fleetId(uk);
    supervisors.stop(fleet);
    metrics.remove(fleet);
    lastSeen.remove(fleet);
    invalid.forget(fleet);
    // only its own revisions' builds are cancelled and their provider read (RevisionTrust)
    var own = context.getSecondaryResources(UnikernelRevision.class).stream()
        .filter(rev -> RevisionTrust.controlled(uk, rev)).toList();
    return deletion.delete(uk, own) ? DeleteControl.defaultDelete()
        : DeleteControl.noFinalizerRemoval().rescheduleAfter(ProviderFailures.PROGRESS_POLL);
  }

  /** Status is written only when it changed, to keep API writes bounded. */
  private void write(Context<Unikernel> context, Unikernel uk, UnikernelStatus stored, UnikernelStatus status) {
    if (stored == null || !Json.same(stored, status)) {
      statusWriter.write(uk, status, context);
    }
  }

  /** What the supervisors tell: a change wakes the fleet's reconcile; repairs become Events. */
  private final class SupervisorEvents implements FleetListener {
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
  }
}
