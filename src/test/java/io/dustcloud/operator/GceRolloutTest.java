package io.dustcloud.operator;

import io.dustcloud.testing.EndToEnd;
import io.dustcloud.core.Reason;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import io.dustcloud.api.v1alpha1.Unikernel;
import io.dustcloud.api.v1alpha1.UnikernelRevision;
import io.dustcloud.provider.FleetId;
import io.dustcloud.provider.gce.GceNames;
import io.dustcloud.testing.Rollouts;
import io.dustcloud.testing.LoopbackHealth;
import io.dustcloud.testing.Unikernels;
import io.dustcloud.testing.gce.FakeCompute;
import io.dustcloud.testing.gce.FakeCompute.GroupChange;
import io.dustcloud.testing.gce.GceOperator;
import io.dustcloud.testing.gce.GceTesting;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
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
 * <p>Health per revision: instance addresses are {@code 127.0.0.1:PORT/i/{instance}}, so the
 * operator probes {@code /i/NAME/health} on one loopback server, which asks the fake which
 * template the instance runs and answers 503 when that template's boot arguments contain
 * {@code --broken} (as the example unikernel does for real).
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
    LoopbackHealth health = new LoopbackHealth("/i/", this::health);
    gce = GceOperator.start(dir, health, health.address() + "/i/{instance}", 6000, Duration.ofMillis(500));
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
    assertThat(rollout).allSatisfy(c -> assertThat(c.instances()).as("instances in %s", c).isLessThanOrEqualTo(3 + 1));
    // the surge instance is created as v2 (versions patched before the resize), the others are
    // moved by recreateInstances one at a time, then the group shrinks back to the total
    assertThat(steps(rollout, v1, v2)).containsExactly(
        "patch {v2=1, v1=2}/3",
        "resize {v2=1, v1=3}/4",
        "patch {v2=2, v1=2}/4",
        "patch {v2=3, v1=1}/4",
        "patch {v2=4}/4",
        "resize {v2=3}/3");
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
        .isSubsetOf("instanceGroupManagers.get", "instanceGroupManagers.listManagedInstances");
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
      assertThat(StatusConditions.isTrue(s.getStatus().conditions, Conditions.READY)).isTrue();
    });
    String v3 = get().getStatus().failedRevision;
    awaitSplit(group, Map.of(v2, 3));
    List<GroupChange> rollback = fake.history(group).subList(from, fake.history(group).size());
    assertThat(rollback).allSatisfy(c -> assertThat(c.instances()).as("instances in %s", c).isLessThanOrEqualTo(3 + 1));
    // v3 got its surge instance, never more: it was never ready, so no v2 instance made room for it
    assertThat(steps(rollback, v1, v2, v3)).containsExactly(
        "patch {v3=1, v2=2}/3",
        "resize {v3=1, v2=3}/4",
        "patch {v2=4}/4",
        "resize {v2=3}/3");
    await().atMost(WAIT).untilAsserted(() -> assertThat(fake.instanceTemplates(group).values())
        .hasSize(3).allMatch(t -> t.equals(template(v2))));
    assertThat(get().getStatus().lastGoodRevision).isEqualTo(v2);
    assertThat(revision(v3).getStatus().firstHealthyTime).isNull();
    // the failed revision is retained, and so are its template and image
    assertThat(fake.templateNames()).contains(template(v1), template(v2), template(v3));
    assertThat(fake.imageNames()).contains(GceNames.image(FLEET, v3));
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
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
    assertThat(pinning).allSatisfy(c -> assertThat(c.instances()).as("instances in %s", c).isLessThanOrEqualTo(3 + 1));
    assertThat(steps(pinning, v1, v2, v3)).containsExactly(
        "patch {v1=1, v2=2}/3",
        "resize {v1=1, v2=3}/4",
        "patch {v1=2, v2=2}/4",
        "patch {v1=3, v2=1}/4",
        "patch {v1=4}/4",
        "resize {v1=3}/3");
    await().atMost(WAIT).untilAsserted(() -> assertThat(fake.instanceTemplates(group).values())
        .hasSize(3).allMatch(t -> t.equals(template(v1))));
  }

  /** 200 for instances of healthy templates, 503 for instances of templates booted with {@code --broken}. */
  private void health(HttpExchange ex) throws IOException {
    try (ex) {
      String[] path = ex.getRequestURI().getPath().split("/"); // "", "i", NAME, "health"
      boolean ok = path.length == 4 && path[3].equals("health") && !broken(path[2]);
      ex.sendResponseHeaders(ok ? 200 : 503, -1);
    }
  }

  private boolean broken(String instance) {
    for (String key : fake.groupKeys()) {
      String template = fake.instanceTemplates(key).get(instance);
      if (template != null) {
        JsonNode t = fake.template(template);
        for (JsonNode item : t.path("properties").path("metadata").path("items")) {
          if (item.path("key").asText().equals("dustcloud-boot-args") && item.path("value").asText().contains("--broken")) {
            return true;
          }
        }
        return false;
      }
    }
    return true; // not (or no longer) an instance of any group
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

  /**
   * Each change as {@code METHOD {vN=COUNT, …}/TARGETSIZE}, in the versions' order; the given
   * revisions are labelled v1, v2, v3 in that order.
   */
  private List<String> steps(List<GroupChange> changes, String... revisions) {
    List<String> out = new ArrayList<>();
    for (GroupChange c : changes) {
      Map<String, Integer> split = new LinkedHashMap<>();
      c.versions().forEach((t, n) -> {
        String label = t;
        for (int i = 0; i < revisions.length; i++) {
          label = t.equals(template(revisions[i])) ? "v" + (i + 1) : label;
        }
        split.put(label, n);
      });
      out.add(c.method() + " " + split + "/" + c.targetSize());
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
