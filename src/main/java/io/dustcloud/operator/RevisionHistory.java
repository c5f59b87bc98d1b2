package io.dustcloud.operator;

import io.dustcloud.binding.Bindings;
import io.dustcloud.binding.ProviderBinding;
import io.dustcloud.api.v1alpha1.Unikernel;
import io.dustcloud.api.v1alpha1.UnikernelRevision;
import io.dustcloud.core.rollout.RolloutDecision;
import io.dustcloud.provider.FleetId;
import io.dustcloud.provider.FleetObservation;
import io.dustcloud.provider.FleetProvider;
import io.dustcloud.provider.InstanceView;
import io.dustcloud.supervisor.FleetHealth;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What each revision did (first healthy, last served, median boot) and how many are retained:
 * {@code revisionHistoryLimit} old revisions are kept for rollbacks; older ones are deleted
 * with their provider resources — never one that runs, serves, is pinned, is the last good
 * one or the failed one status names.
 */
final class RevisionHistory {
  private static final Logger log = LoggerFactory.getLogger(RevisionHistory.class);
  private final RevisionStore revisions;
  private final Bindings providers;

  RevisionHistory(RevisionStore revisions, Bindings providers) {
    this.revisions = revisions;
    this.providers = providers;
  }

  void record(Unikernel uk, Collection<UnikernelRevision> known, RolloutDecision decision, FleetHealth health,
      FleetObservation observed, Instant now) {
    Set<String> healthy = new HashSet<>();
    Set<String> running = new HashSet<>();
    for (InstanceView i : observed.instances()) {
      running.add(i.revision());
      if (health.isReady(i.id())) {
        healthy.add(i.revision());
      }
    }
    var s = decision.state();
    for (UnikernelRevision r : known) {
      String name = r.getMetadata().getName();
      boolean firstHealthy = healthy.contains(name) && (r.getStatus() == null || r.getStatus().firstHealthyTime == null);
      boolean stoppedServing = s.promoted() != null && name.equals(s.previous()) && r.getStatus() != null
          && r.getStatus().lastServedTime == null;
      Long median = health.bootMedianMillis().get(name);
      boolean newMedian = median != null && r.getStatus() != null && !median.equals(r.getStatus().bootMedianMillis);
      if (firstHealthy || stoppedServing || newMedian) {
        revisions.recordObserved(r, firstHealthy ? now : null, stoppedServing ? now : null, newMedian ? median : null);
      }
    }
    collectGarbage(uk, known, decision, running);
  }

  private void collectGarbage(Unikernel uk, Collection<UnikernelRevision> known, RolloutDecision decision,
      Set<String> running) {
    int limit = uk.getSpec().revisionHistoryLimit;
    var s = decision.state();
    Set<String> protectedNames = new HashSet<>(running);
    for (String name : new String[] {s.update(), s.current(), s.lastGood(), s.failed(), s.previous(), uk.getSpec().revision}) {
      if (name != null) {
        protectedNames.add(name);
      }
    }
    List<UnikernelRevision> old = new ArrayList<>();
    for (UnikernelRevision r : RevisionStore.oldestFirst(known)) {
      if (!protectedNames.contains(r.getMetadata().getName())) {
        old.add(r);
      }
    }
    int excess = old.size() - limit;
    FleetProvider provider = providers.forSpec(uk.getSpec().provider).map(ProviderBinding::provider).orElse(null);
    FleetId fleet = UnikernelReconciler.fleetId(uk);
    for (int i = 0; i < excess; i++) {
      UnikernelRevision r = old.get(i);
      String name = r.getMetadata().getName();
      if (provider != null && !provider.deleteRevision(fleet, name)) {
        log.info("fleet {}: revision {} still has provider resources in use; kept", fleet, name);
        continue;
      }
      revisions.delete(r);
      log.info("fleet {}: deleted revision {} (revisionHistoryLimit {})", fleet, name, limit);
    }
  }
}
