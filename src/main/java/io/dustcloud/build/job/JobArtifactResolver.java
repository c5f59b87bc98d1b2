package io.dustcloud.build.job;

import io.dustcloud.core.Reason;
import io.dustcloud.api.v1alpha1.UnikernelRevision;
import io.dustcloud.api.v1alpha1.UnikernelRevisionSpec;
import io.dustcloud.build.ArtifactResolution;
import io.dustcloud.build.ArtifactResolver;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.time.Clock;
import java.util.Optional;

/**
 * Builds a revision's Git source in the cluster: at most one Job per build key and namespace,
 * and none at all when the key was built before (the {@link BuildIndex}). Each call looks once
 * and returns: Pending while the Job runs (the Job informer wakes the reconciler when it
 * changes), Resolved with the uploaded tarball, or Failed with the log's tail.
 */
public final class JobArtifactResolver implements ArtifactResolver {

  private final BuildJobs jobs;
  private final BuildIndex index;
  private final BuildEvents events;
  private final Clock clock;

  public JobArtifactResolver(BuildJobs jobs, BuildIndex index, BuildEvents events, Clock clock) {
    this.jobs = jobs;
    this.index = index;
    this.events = events;
    this.clock = clock;
  }

  @Override
  public ArtifactResolution resolve(String key, UnikernelRevisionSpec spec, String recordedSha256) {
    throw new UnsupportedOperationException("in-cluster builds need the revision: call resolve(UnikernelRevision)");
  }

  @Override
  public ArtifactResolution resolve(UnikernelRevision revision) {
    var status = revision.getStatus();
    if (status != null && status.artifact != null && status.artifact.sha256 != null) {
      // immutable: once recorded, the revision runs exactly that artifact
      return new ArtifactResolution.Resolved(status.artifact.url, status.artifact.sha256, false, status.buildKey);
    }
    BuildJobRequest request = BuildJobRequest.of(revision);
    String ns = request.namespace();
    Optional<BuildIndex.Entry> built = index.lookup(ns, request.key());
    if (built.isPresent()) {
      return new ArtifactResolution.Resolved(built.get().url(), built.get().sha256(), false, request.key());
    }
    Job desired = BuildJobModel.job(request);
    Optional<Job> existing = jobs.get(ns, request.jobName());
    if (existing.isEmpty()) {
      if (jobs.create(desired)) {
        events.started(revision, desired, request.key());
      }
      return new ArtifactResolution.Pending(Reason.BUILDING,
          "started build Job " + ns + "/" + request.jobName() + " (build key " + request.key() + ")");
    }
    Job job = existing.get();
    var pods = jobs.pods(job);
    BuildOutcome outcome = BuildOutcome.of(job, pods, request.outputUrl(), clock.instant());
    if (outcome instanceof BuildOutcome.Succeeded s) {
      index.remember(ns, request.key(), new BuildIndex.Entry(s.url(), s.sha256()));
      return new ArtifactResolution.Resolved(s.url(), s.sha256(), true, request.key());
    }
    if (outcome instanceof BuildOutcome.Running r) {
      return new ArtifactResolution.Pending(Reason.BUILDING, r.message());
    }
    if (outcome instanceof BuildOutcome.ResultLost lost) {
      jobs.delete(job);
      return new ArtifactResolution.Pending(Reason.BUILDING, lost.message() + "; running it again");
    }
    var failed = (BuildOutcome.Failed) outcome;
    if (!templateHash(desired).equals(templateHash(job))) {
      // the settings changed since it failed (deadline, resources, image…): try again with them
      jobs.delete(job);
      return new ArtifactResolution.Pending(Reason.BUILDING,
          "build Job " + ns + "/" + request.jobName() + " failed with earlier settings; replacing it");
    }
    return new ArtifactResolution.Failed(failed.reason(), failed.message()
        + "; delete the Job to retry. Log tail:\n" + jobs.logTail(pods));
  }

  /**
   * Deletes the revision's running build Job (its Pods in the background) rather than leaving
   * it to the garbage collector after the revision: a build nobody waits for any more should
   * stop now. A Job another revision owns (the same build key) is left alone.
   */
  @Override
  public String cancel(UnikernelRevision revision) {
    var status = revision.getStatus();
    if (status != null && status.artifact != null && status.artifact.sha256 != null) {
      return null;
    }
    BuildJobRequest request = BuildJobRequest.of(revision);
    Optional<Job> job = jobs.get(request.namespace(), request.jobName());
    boolean ours = job.isPresent() && job.get().getMetadata().getOwnerReferences().stream()
        .anyMatch(o -> o.getUid() != null && o.getUid().equals(revision.getMetadata().getUid()));
    boolean finished = job.isPresent() && job.get().getStatus() != null
        && (job.get().getStatus().getCompletionTime() != null
            || (job.get().getStatus().getFailed() != null && job.get().getStatus().getActive() == null));
    if (!ours || finished) {
      return null;
    }
    jobs.delete(job.get());
    return "deleted build Job " + request.namespace() + "/" + request.jobName();
  }

  private static String templateHash(Job job) {
    var a = job.getMetadata().getAnnotations();
    return a == null ? "" : String.valueOf(a.get(BuildJobModel.ANNOTATION_TEMPLATE_HASH));
  }
}
