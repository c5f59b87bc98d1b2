package io.dustcloud.operator;

import io.dustcloud.binding.ArtifactResolvers;
import io.dustcloud.binding.Bindings;
import io.dustcloud.supervisor.FleetSnapshot;
import io.dustcloud.supervisor.Supervision;
import io.dustcloud.supervisor.SupervisionSpec;
import io.dustcloud.api.v1alpha1.ArtifactFormat;
import io.dustcloud.api.v1alpha1.Unikernel;
import io.dustcloud.api.v1alpha1.UnikernelRevision;
import io.dustcloud.api.v1alpha1.UnikernelRevisionStatus;
import io.dustcloud.api.v1alpha1.UnikernelStatus;
import io.dustcloud.build.ArtifactResolution;
import io.dustcloud.build.ArtifactResolver;
import io.dustcloud.core.Reason;
import io.dustcloud.core.autoscale.ScaleDecision;
import io.dustcloud.core.health.ProbeResult;
import io.dustcloud.core.health.Readiness;
import io.dustcloud.core.health.Repair;
import io.dustcloud.provider.FleetId;
import io.dustcloud.provider.FleetProvider;
import io.dustcloud.provider.InstanceView;
import io.dustcloud.supervisor.FleetHealth;
import io.dustcloud.testing.MutableClock;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Steps the reconcile pipeline without an operator, an API server or threads: the real steps,
 * {@link FleetStatus} and {@link StatusEvents} over fakes — revisions in a map, events in a
 * list, a supervisor whose snapshot the test sets, an artifact resolver the test scripts, and
 * any {@link FleetProvider}. Each {@link #reconcile} does what the JOSDK spine does: run the
 * pipeline, compute the status, diff it into events, and "write" it back onto the Unikernel.
 */
final class PipelineHarness {
  final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
  final TestingRevisions revisions = new TestingRevisions();
  final TestingEvents events = new TestingEvents();
  final TestingSupervision supervision = new TestingSupervision();
  final Bindings providers;
  /** What the resolver answers for a revision; by default its image, resolved as declared. */
  Function<UnikernelRevision, ArtifactResolution> resolve = rev ->
      new ArtifactResolution.Resolved(rev.getSpec().image.url, rev.getSpec().image.sha256, false);
  /** What cancelling a revision's build answers; by default nothing ran. */
  Function<UnikernelRevision, String> cancel = rev -> null;
  /** Revisions whose builds were asked to stop. */
  final List<String> cancelled = new ArrayList<>();
  final Unikernel uk;
  private final ReconcilePipeline pipeline;
  int statusWrites;

  PipelineHarness(Unikernel uk, FleetProvider... registered) {
    this.uk = uk;
    uk.getMetadata().setGeneration(1L);
    uk.getMetadata().setUid("uid-" + uk.getMetadata().getName());
    ArtifactResolver resolver = new ArtifactResolver() {
      @Override
      public ArtifactResolution resolve(String key, io.dustcloud.api.v1alpha1.UnikernelRevisionSpec spec, String sha) {
        throw new UnsupportedOperationException("the pipeline resolves whole revisions");
      }

      @Override
      public ArtifactResolution resolve(UnikernelRevision revision) {
        return resolve.apply(revision);
      }

      @Override
      public String cancel(UnikernelRevision revision) {
        cancelled.add(revision.getMetadata().getName());
        return cancel.apply(revision);
      }
    };
    providers = Bindings.of(registered).bind(new ArtifactResolvers(resolver, resolver));
    pipeline = UnikernelReconciler.pipeline(providers, supervision, revisions, events);
  }

  FleetId fleetId() {
    return FleetReconcile.fleetId(uk);
  }

  /** One reconcile's outcome. */
  record Step(StepResult result, FleetReconcile context, UnikernelStatus status, List<String> events) {}

  Step reconcile() {
    FleetReconcile r = new FleetReconcile(uk, revisions.list(), clock.instant());
    StepResult result = pipeline.run(r);
    UnikernelStatus next = FleetStatus.compute(r.stored, FleetFacts.of(r, result));
    List<String> announced = new ArrayList<>();
    for (StatusEvents.StatusEvent e : StatusEvents.diff(r.stored, next)) {
      (e.warning() ? events.warnings : events.normals).add(e.reason().value() + ": " + e.message());
      announced.add(e.reason().value());
    }
    if (r.stored == null || !Json.same(r.stored, next)) {
      statusWrites++;
      uk.setStatus(next);
    }
    return new Step(result, r, next, announced);
  }

  /** Reconciles until the result stops changing the status, at most {@code n} times. */
  Step settle(int n) {
    Step last = reconcile();
    for (int i = 1; i < n; i++) {
      int before = statusWrites;
      last = reconcile();
      if (statusWrites == before) {
        break;
      }
    }
    return last;
  }

  /** Reconciles past every window (verification, keep-previous) until nothing changes any more. */
  void settleThroughWindows() {
    for (int i = 0; i < 20; i++) {
      int before = statusWrites;
      reconcile();
      clock.advance(Duration.ofSeconds(40));
      reconcile();
      if (statusWrites == before) {
        return;
      }
    }
    throw new AssertionError("the fleet's status did not settle: " + Json.write(uk.getStatus()));
  }

  /** Revisions kept in memory, as the informer's cache and the API server would. */
  static final class TestingRevisions implements Revisions {
    final Map<String, UnikernelRevision> byName = new LinkedHashMap<>();
    final List<String> writes = new ArrayList<>();
    private int created;

    List<UnikernelRevision> list() {
      return List.copyOf(byName.values());
    }

    @Override
    public Ensured ensure(UnikernelRevision desired, Collection<UnikernelRevision> known) {
      String name = desired.getMetadata().getName();
      if (byName.containsKey(name)) {
        return new Ensured(byName.get(name), false);
      }
      desired.getMetadata().setCreationTimestamp(String.format("2026-01-01T00:%02d:00Z", created++));
      desired.getMetadata().setGeneration(1L);
      byName.put(name, desired);
      writes.add("create " + name);
      return new Ensured(desired, true);
    }

    @Override
    public UnikernelRevision recordArtifact(UnikernelRevision rev, String location, String sha256, String buildKey,
        ArtifactFormat format, Instant now) {
      UnikernelRevision copy = Json.copy(rev, UnikernelRevision.class);
      UnikernelRevisionStatus s = copy.getStatus() == null ? new UnikernelRevisionStatus() : copy.getStatus();
      s.artifact = new UnikernelRevisionStatus.Artifact();
      s.artifact.url = location;
      s.artifact.sha256 = sha256;
      s.artifact.format = format;
      s.buildKey = buildKey;
      copy.setStatus(s);
      byName.put(copy.getMetadata().getName(), copy);
      writes.add("artifact " + copy.getMetadata().getName());
      return copy;
    }

    @Override
    public void recordNotBuilt(UnikernelRevision rev, String status, Reason reason, String message, Instant now) {
      writes.add("not built " + rev.getMetadata().getName() + " " + reason.value());
    }

    @Override
    public void recordObserved(UnikernelRevision rev, Instant firstHealthy, Instant lastServed, Long bootMedianMillis) {
      writes.add("observed " + rev.getMetadata().getName());
    }

    @Override
    public UnikernelRevision find(String namespace, String name) {
      return byName.get(name);
    }

    @Override
    public void delete(UnikernelRevision rev) {
      byName.remove(rev.getMetadata().getName());
      writes.add("delete " + rev.getMetadata().getName());
    }

    @Override
    public void deleteAll(Unikernel uk) {
      byName.clear();
    }
  }

  static final class TestingEvents implements FleetEvents {
    final List<String> normals = new ArrayList<>();
    final List<String> warnings = new ArrayList<>();

    @Override
    public void normal(HasMetadata object, Reason reason, String message) {
      normals.add(reason.value() + ": " + message);
    }

    @Override
    public void warning(HasMetadata object, Reason reason, String message) {
      warnings.add(reason.value() + ": " + message);
    }

    List<String> all() {
      List<String> all = new ArrayList<>(normals);
      all.addAll(warnings);
      return all;
    }
  }

  /**
   * A supervisor the test drives: the instances it calls ready, the health it reports and the
   * autoscaler's decision are set by the test; the desired total follows the single-owner rule
   * (seeded from the first spec, clamped to the spec's limits, moved only by a decision).
   */
  static final class TestingSupervision implements Supervision {
    final List<SupervisionSpec> supervised = new ArrayList<>();
    /** Instances of these revisions are ready; null: every instance. */
    Set<String> readyRevisions;
    final Set<String> unready = new HashSet<>();
    List<Repair> unhealthy = List.of();
    String suspended;
    /** Revisions in crash-loop backoff, and the replacements made, as the supervisor reports them. */
    List<io.dustcloud.supervisor.CrashLoop> crashLoops = List.of();
    long repairs;
    ScaleDecision decision;
    private Integer total;
    private FleetProvider provider;
    private FleetId fleet;

    @Override
    public void supervise(FleetId fleet, SupervisionSpec spec) {
      supervised.add(spec);
      this.fleet = fleet;
      this.provider = spec.provider();
      if (total == null) {
        total = spec.initialTotal();
      }
      if (spec.autoscale() != null) {
        total = spec.autoscale().limits().clamp(total);
      }
    }

    /** The autoscaler decides {@code desired}. */
    void decide(int desired, String reason) {
      decision = new ScaleDecision(desired, total, desired, reason, ScaleDecision.Cap.NONE, false, 0, Instant.EPOCH);
      total = desired;
    }

    @Override
    public FleetSnapshot snapshot(FleetId fleet) {
      Map<String, Readiness> readiness = new LinkedHashMap<>();
      Readiness ready = Readiness.UNKNOWN.observe(ProbeResult.pass(1), 3, Instant.EPOCH);
      if (provider != null) {
        for (InstanceView i : provider.observe(fleet).instances()) {
          boolean isReady = (readyRevisions == null || readyRevisions.contains(i.revision())) && !unready.contains(i.id());
          readiness.put(i.id(), isReady ? ready : Readiness.UNKNOWN);
        }
      }
      FleetHealth health = new FleetHealth(readiness, unhealthy, suspended, null, repairs, Map.of(), crashLoops);
      return new FleetSnapshot(health, decision, total == null ? 0 : total);
    }

    int desiredTotal() {
      return total;
    }
  }

  static Duration requeue(StepResult result) {
    return result instanceof StepResult.Wait w ? w.requeue() : null;
  }
}
