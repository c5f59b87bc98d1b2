package io.dustcloud.operator;

import io.dustcloud.testing.EndToEnd;
import io.dustcloud.core.Reason;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dustcloud.api.v1alpha1.Unikernel;
import io.dustcloud.api.v1alpha1.UnikernelRevision;
import io.dustcloud.provider.FleetId;
import io.dustcloud.provider.gce.GceNames;
import io.dustcloud.testing.Rollouts;
import io.dustcloud.testing.Unikernels;
import io.dustcloud.testing.gce.FakeCompute;
import io.dustcloud.testing.gce.FakeCompute.GroupChange;
import io.dustcloud.testing.gce.GceOperator;
import io.dustcloud.testing.gce.GceTesting;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 6's rollout scenarios on the GCE provider and the Compute fake, seen as the group's
 * {@code versions[]}: v1 → v2 in surge/unavailability-bounded steps, a broken v3 rolled back to
 * v2 automatically, and a pin back to v1.
 *
 * <p>Health per revision: each fake instance answers on its own internal address and, like the
 * example unikernel, fails {@code /health} when its template's boot arguments contain
 * {@code --broken}.
 */
@EndToEnd
class GceRolloutTest {
  static final String NS = "default";
  static final String NAME = "web";
  static final FleetId FLEET = new FleetId(NS, NAME);
  static final Duration WAIT = Duration.ofSeconds(25);
  @TempDir Path dir;
  GceOperator gce;
  KubernetesClient client;
  Rollouts rollouts;
  FakeCompute fake;

  @BeforeEach
  void start() throws Exception {
    gce = GceOperator.start(dir, 6000, Duration.ofMillis(500));
    client = gce.client;
    rollouts = new Rollouts(client, NS, NAME, WAIT);
    fake = gce.fake;
  }

  @AfterEach
  void stop() {
    gce.close();
  }

  @Test
  void rollsForwardInVersionStepsRollsBackABrokenRevisionAndPins() {
    Unikernel uk = Unikernels.gce(NS, NAME, GceTesting.PROJECT, GceTesting.ZONE, 3);
    uk.getSpec().bootArgs = List.of("--version=v1");
    uk.getSpec().rollout.maxSurge = new IntOrString(1);
    uk.getSpec().rollout.maxUnavailable = new IntOrString(0);
    uk.getSpec().rollout.progressDeadlineSeconds = 10;
    uk.getSpec().rollout.verificationSeconds = 1;
    uk.getSpec().rollout.keepPreviousSeconds = 1;
    client.resource(uk).create();
    String v1 = rollouts.awaitPromoted(null);
    rollouts.awaitLastGood(v1);
    String group = GceTesting.GROUP_SCOPE + "/" + GceNames.group(FLEET);
    assertThat(splits(fake.history(group))).containsExactly(Map.of(v1, 3));

    // v1 -> v2: one new instance at a time (surge 1), never a ready one fewer (unavailable 0)
    int from = fake.history(group).size();
    rollouts.setBootArgs("--version=v2");
    String v2 = rollouts.awaitPromoted(v1);
    rollouts.awaitLastGood(v2);
    awaitSplit(group, Map.of(v2, 3));
    List<GroupChange> rollout = fake.history(group).subList(from, fake.history(group).size());
    // v2 grows one instance at a time (surge 1, unavailable 0) and v1 drains as it does: the load
    // balancer would send traffic to a v1 kept warm, so on GCE keepPreviousSeconds keeps nothing
    assertSurgeRollout(rollout, v2, 3, 1);
    Unikernel now = get();
    assertThat(now.getStatus().currentRevision).isEqualTo(v2);
    assertThat(now.getStatus().updateRevision).isEqualTo(v2);
    assertThat(now.getStatus().updatedReplicas).isEqualTo(3);
    assertThat(revision(v2).getStatus().firstHealthyTime).isNotNull();
    assertThat(revision(v1).getStatus().lastServedTime).isNotNull();
    await().atMost(WAIT).untilAsserted(() -> assertThat(fake.instanceTemplates(group).values())
        .hasSize(3).allMatch(t -> t.equals(template(v2))));

    // at rest: a spec edit that changes no revision reads at most the group and its instances
    // (the group read of the last observe interval is reused) and calls nothing that mutates
    fake.resetCounts();
    Unikernel edit = get();
    edit.getSpec().rollout.progressDeadlineSeconds = 11;
    long generation = client.resource(edit).update().getMetadata().getGeneration();
    await().atMost(WAIT).until(() -> get().getStatus().observedGeneration >= generation);
    assertThat(fake.calls().keySet()).as("the reconcile of the edit only read")
        .isSubsetOf("instanceGroupManagers.get", "instanceGroupManagers.listManagedInstances",
            "instanceGroupManagers.aggregatedList");
    assertThat(fake.mutatingCalls()).as("mutating calls at rest: %s", fake.calls()).isZero();

    // v2 -> broken v3: its instance never passes health; rolled back to v2 after the deadline
    from = fake.history(group).size();
    rollouts.setBootArgs("--version=v3", "--broken");
    await().atMost(WAIT).untilAsserted(() -> {
      Unikernel s = get();
      var rolledBack = StatusConditions.find(s.getStatus().conditions, Conditions.ROLLED_BACK);
      assertThat(rolledBack).isNotNull();
      assertThat(rolledBack.status).isEqualTo("True");
      assertThat(rolledBack.message).contains("ProgressDeadlineExceeded");
      assertThat(s.getStatus().failedRevision).isNotNull().isNotIn(v1, v2);
      assertThat(s.getStatus().updateRevision).isEqualTo(v2);
      assertThat(s.getStatus().currentRevision).isEqualTo(v2);
      // a failed rollout: Stalled (RolledBack), not Ready, while v2 serves
      assertThat(StatusConditions.isTrue(s.getStatus().conditions, Conditions.STALLED)).isTrue();
      assertThat(StatusConditions.isTrue(s.getStatus().conditions, Conditions.READY)).isFalse();
      assertThat(StatusConditions.isTrue(s.getStatus().conditions, Conditions.AVAILABLE)).isTrue();
    });
    String v3 = get().getStatus().failedRevision;
    awaitSplit(group, Map.of(v2, 3));
    List<GroupChange> rollback = fake.history(group).subList(from, fake.history(group).size());
    // v3 got its surge instance, never more: it was never ready, so no v2 instance made room for it
    assertThat(rollback).filteredOn(c -> c.method().equals("resize")).isNotEmpty().allSatisfy(c -> {
      assertThat(count(c, v3)).as("v3 instances in %s", c).isLessThanOrEqualTo(1);
      assertThat(count(c, v2)).as("v2 instances in %s", c).isGreaterThanOrEqualTo(3);
    });
    await().atMost(WAIT).untilAsserted(() -> assertThat(fake.instanceTemplates(group).values())
        .hasSize(3).allMatch(t -> t.equals(template(v2))));
    assertThat(get().getStatus().lastGoodRevision).isEqualTo(v2);
    assertThat(revision(v3).getStatus().firstHealthyTime).isNull();
    // the failed revision is retained, and so are its template and image
    assertThat(fake.templateNames()).contains(template(v1), template(v2), template(v3));
    assertThat(fake.imageNames()).contains(GceNames.image(FLEET, v3));
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
        assertThat(events()).contains(Reason.ROLLED_BACK.value()));
    assertThat(get().getSpec().bootArgs).containsExactly("--version=v3", "--broken");

    // pin v1: the group returns to v1's template only
    from = fake.history(group).size();
    Unikernel pin = get();
    pin.getSpec().revision = v1;
    client.resource(pin).update();
    await().atMost(WAIT).untilAsserted(() -> {
      Unikernel s = get();
      assertThat(s.getStatus().currentRevision).isEqualTo(v1);
      assertThat(s.getStatus().updateRevision).isEqualTo(v1);
    });
    awaitSplit(group, Map.of(v1, 3));
    List<GroupChange> pinning = fake.history(group).subList(from, fake.history(group).size());
    assertSurgeRollout(pinning, v1, 3, 1);
    await().atMost(WAIT).untilAsserted(() -> assertThat(fake.instanceTemplates(group).values())
        .hasSize(3).allMatch(t -> t.equals(template(v1))));
  }

  /**
   * A rollout with surge 1 and no unavailability, on GCE: the load balancer would send traffic to
   * a previous revision kept warm, so nothing of it is kept — the group never exceeds the total
   * plus the surge (with keepPreviousSeconds honoured it would reach twice the total plus the
   * surge) and ends on {@code to} alone.
   */
  private void assertSurgeRollout(List<GroupChange> changes, String to, int total, int surge) {
    assertThat(changes).isNotEmpty();
    for (GroupChange c : changes) {
      assertThat(c.instances()).as("instances in %s", c).isLessThanOrEqualTo(total + surge);
    }
    assertThat(changes.get(changes.size() - 1).versions()).containsOnlyKeys(template(to));
  }

  private int count(GroupChange c, String revision) {
    return c.versions().getOrDefault(template(revision), 0);
  }

  /** The group's splits with templates named by their revisions. */
  private List<Map<String, Integer>> splits(List<GroupChange> changes) {
    Map<String, String> revisionOf = new LinkedHashMap<>();
    client.resources(UnikernelRevision.class).inNamespace(NS).list().getItems()
        .forEach(r -> revisionOf.put(template(r.getMetadata().getName()), r.getMetadata().getName()));
    List<Map<String, Integer>> out = new ArrayList<>();
    for (GroupChange c : changes) {
      Map<String, Integer> split = new LinkedHashMap<>();
      c.versions().forEach((t, n) -> split.put(revisionOf.getOrDefault(t, t), n));
      out.add(split);
    }
    return out;
  }

  private void awaitSplit(String group, Map<String, Integer> split) {
    await().atMost(WAIT).untilAsserted(() -> {
      List<GroupChange> h = fake.history(group);
      assertThat(splits(h.subList(h.size() - 1, h.size()))).containsExactly(split);
    });
  }

  private static String template(String revision) {
    return GceNames.template(FLEET, revision);
  }

  UnikernelRevision revision(String name) {
    return client.resources(UnikernelRevision.class).inNamespace(NS).withName(name).get();
  }

  List<String> events() {
    return client.v1().events().inNamespace(NS).list().getItems().stream().map(e -> e.getReason()).toList();
  }

  Unikernel get() {
    return client.resources(Unikernel.class).inNamespace(NS).withName(NAME).get();
  }
}
