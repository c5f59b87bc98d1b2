package io.dustcloud.operator;

import io.dustcloud.core.Reason;
import io.dustcloud.api.v1alpha1.ArtifactFormat;
import io.dustcloud.api.v1alpha1.Unikernel;
import io.dustcloud.api.v1alpha1.UnikernelRevision;
import io.dustcloud.api.v1alpha1.UnikernelRevisionStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/** API side effects on {@link UnikernelRevision}s: create, record what they resolved to, delete. */
public final class RevisionStore implements Revisions {
  private final KubernetesClient client;
  private volatile WriteListener listener = (before, after) -> {};

  /**
   * Told of each revision this store created ({@code before} null) or whose status it wrote,
   * so the reconciler's cache can show the write before its watch delivers it: a reconcile
   * deciding on the copy from before the write would have its next write refused.
   */
  public interface WriteListener {
    void written(UnikernelRevision before, UnikernelRevision after);
  }

  public RevisionStore(KubernetesClient client) {
    this.client = client;
  }

  public void onWrite(WriteListener listener) {
    this.listener = listener;
  }

  @Override
  public Ensured ensure(UnikernelRevision desired, Collection<UnikernelRevision> known) {
    for (UnikernelRevision r : known) {
      if (r.getMetadata().getName().equals(desired.getMetadata().getName())) {
        return new Ensured(r, false);
      }
    }
    try {
      UnikernelRevision r = client.resource(desired).create();
      listener.written(null, r);
      return new Ensured(r, true);
    } catch (KubernetesClientException e) {
      if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
        throw e;
      }
      // created by an earlier reconcile whose informer event has not arrived yet — or by
      // someone else: ResolveRevision uses it only if it is this Unikernel's (RevisionTrust)
      UnikernelRevision existing = find(desired.getMetadata().getNamespace(), desired.getMetadata().getName());
      if (existing == null) {
        throw e; // deleted since: the retry creates it
      }
      return new Ensured(existing, false);
    }
  }

  @Override
  public UnikernelRevision find(String namespace, String name) {
    return client.resources(UnikernelRevision.class).inNamespace(namespace).withName(name).get();
  }

  public UnikernelRevision recordArtifact(
      UnikernelRevision rev, String location, String sha256, ArtifactFormat format, Instant now) {
    return recordArtifact(rev, location, sha256, null, format, now);
  }

  /**
   * Records the resolved artifact, its build key (null for prebuilt images) and the Built
   * condition once; the revision never changes them again.
   */
  @Override
  public UnikernelRevision recordArtifact(
      UnikernelRevision cached, String location, String sha256, String buildKey, ArtifactFormat format, Instant now) {
    UnikernelRevision rev = copyOf(cached);
    UnikernelRevisionStatus status = rev.getStatus();
    status.buildKey = buildKey;
    UnikernelRevisionStatus.Artifact a = new UnikernelRevisionStatus.Artifact();
    a.url = location;
    a.sha256 = sha256;
    a.format = format;
    status.artifact = a;
    status.observedGeneration = rev.getMetadata().getGeneration();
    StatusConditions.set(status.conditions, Conditions.BUILT, Conditions.TRUE, Reason.ARTIFACT_RESOLVED,
        "artifact sha256:" + sha256, rev.getMetadata().getGeneration(), now);
    StatusConditions.set(status.conditions, Conditions.READY, Conditions.TRUE, Reason.ARTIFACT_RESOLVED,
        "artifact resolved", rev.getMetadata().getGeneration(), now);
    return replaceStatus(rev, cached);
  }

  /** Records that the artifact could not be resolved (or is still being built). */
  @Override
  public void recordNotBuilt(UnikernelRevision cached, String status, Reason reason, String message, Instant now) {
    UnikernelRevision rev = copyOf(cached);
    UnikernelRevisionStatus s = rev.getStatus();
    var before = Json.copy(s, UnikernelRevisionStatus.class);
    s.observedGeneration = rev.getMetadata().getGeneration();
    StatusConditions.set(s.conditions, Conditions.BUILT, status, reason, message, rev.getMetadata().getGeneration(), now);
    StatusConditions.set(s.conditions, Conditions.READY, Conditions.FALSE, reason, message, rev.getMetadata().getGeneration(), now);
    if (!Json.same(before, s)) {
      replaceStatus(rev, cached);
    }
  }

  /**
   * A copy of a revision from the informer cache (which must not change under it) with a
   * status to fill in.
   */
  private static UnikernelRevision copyOf(UnikernelRevision cached) {
    UnikernelRevision rev = Json.copy(cached, UnikernelRevision.class);
    if (rev.getStatus() == null) {
      rev.setStatus(new UnikernelRevisionStatus());
    }
    return rev;
  }

  /** Writes {@code rev}'s status, decided from {@code cached} (the copy it was made from). */
  private UnikernelRevision replaceStatus(UnikernelRevision rev, UnikernelRevision cached) {
    UnikernelRevision written = StatusReplace.replace(client, rev, cached.getStatus(), UnikernelRevision::getStatus);
    listener.written(cached, written);
    return written;
  }

  @Override
  public void delete(UnikernelRevision rev) {
    client.resource(rev).delete();
  }

  /**
   * Records what the fleet observed of a revision, in one write: when it first became healthy,
   * when it last served (each once), its median boot latency (when it changed). Bookkeeping, not
   * a decision: a conflict leaves it to a later reconcile. (Two writes from one cached copy, as
   * before, made the second one conflict every time.)
   *
   * <p>Each of {@code firstHealthy}, {@code lastServed} and {@code bootMedianMillis} is null
   * for no change.
   */
  @Override
  public void recordObserved(UnikernelRevision cached, Instant firstHealthy, Instant lastServed, Long bootMedianMillis) {
    UnikernelRevision rev = copyOf(cached);
    UnikernelRevisionStatus s = rev.getStatus();
    if (firstHealthy != null && s.firstHealthyTime == null) {
      s.firstHealthyTime = firstHealthy.toString();
    }
    if (lastServed != null) {
      s.lastServedTime = lastServed.toString();
    }
    if (bootMedianMillis != null) {
      s.bootMedianMillis = bootMedianMillis;
    }
    try {
      replaceStatus(rev, cached);
    } catch (KubernetesClientException e) {
      if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
        throw e;
      }
    }
  }


  /** Revisions of {@code uk}, oldest first. */
  public static List<UnikernelRevision> oldestFirst(Collection<UnikernelRevision> revisions) {
    List<UnikernelRevision> list = new ArrayList<>(revisions);
    list.sort(Comparator.comparing((UnikernelRevision r) -> String.valueOf(r.getMetadata().getCreationTimestamp()))
        .thenComparing(r -> r.getMetadata().getName()));
    return list;
  }

  /**
   * Deletes every revision the Unikernel controls (owner-reference GC does this in a cluster;
   * dev mode has none). A label anyone can set is not enough: when another party's object
   * carries it, only the controlled ones are deleted, one by one. A role without single
   * {@code delete} (older charts, docs/rbac.md) refuses that; the garbage collector then removes
   * them through their owner reference anyway.
   */
  @Override
  public void deleteAll(Unikernel uk) {
    var labelled = client.resources(UnikernelRevision.class)
        .inNamespace(uk.getMetadata().getNamespace())
        .withLabel(RevisionModel.LABEL_UNIKERNEL, io.dustcloud.core.revision.RevisionNaming.labelValue(uk.getMetadata().getName()));
    List<UnikernelRevision> all = labelled.list().getItems();
    if (all.stream().allMatch(r -> RevisionTrust.controlled(uk, r))) {
      labelled.delete();
      return;
    }
    for (UnikernelRevision r : all) {
      if (RevisionTrust.controlled(uk, r)) {
        try {
          client.resource(r).delete();
        } catch (KubernetesClientException e) {
          if (e.getCode() != HttpURLConnection.HTTP_FORBIDDEN) {
            throw e;
          }
          return; // RBAC: left to the garbage collector
        }
      }
    }
  }
}
