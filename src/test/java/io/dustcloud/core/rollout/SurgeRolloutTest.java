package io.dustcloud.core.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SurgeRolloutTest {

  /** An ordered map from alternating revision/count arguments. */
  static Map<String, Integer> m(Object... kv) {
    Map<String, Integer> map = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      map.put((String) kv[i], (Integer) kv[i + 1]);
    }
    return map;
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of("fresh create", "r1", 3, m(), m(), m("r1", 3)),
        Arguments.of("fresh create, nothing ready yet", "r1", 3, m("r1", 3), m("r1", 0), m("r1", 3)),
        Arguments.of("converged", "r1", 3, m("r1", 3), m("r1", 3), m("r1", 3)),
        Arguments.of("new revision, none ready", "r2", 3, m("r1", 3), m("r1", 3), m("r2", 3, "r1", 3)),
        Arguments.of(
            "new revision started, none ready", "r2", 3, m("r1", 3, "r2", 3), m("r1", 3, "r2", 0), m("r2", 3, "r1", 3)),
        Arguments.of(
            "new revision partially ready", "r2", 3, m("r1", 3, "r2", 3), m("r1", 3, "r2", 1), m("r2", 3, "r1", 2)),
        Arguments.of(
            "new revision all ready", "r2", 3, m("r1", 3, "r2", 3), m("r1", 3, "r2", 3), m("r2", 3, "r1", 0)),
        Arguments.of(
            "old revision only partly ready: only ready instances are worth keeping",
            "r2", 3, m("r1", 3, "r2", 3), m("r1", 1, "r2", 0), m("r2", 3, "r1", 1)),
        Arguments.of(
            "two older revisions: the newest old one is kept first",
            "r3", 3, m("r1", 2, "r2", 2, "r3", 3), m("r1", 2, "r2", 2, "r3", 0), m("r3", 3, "r2", 2, "r1", 1)),
        Arguments.of(
            "two older revisions, target partly ready: the oldest goes first",
            "r3", 3, m("r1", 2, "r2", 2, "r3", 3), m("r1", 2, "r2", 2, "r3", 1), m("r3", 3, "r2", 2, "r1", 0)),
        Arguments.of(
            "two older revisions, newest old one not ready: the older ready one serves",
            "r3", 3, m("r1", 3, "r2", 3), m("r1", 3, "r2", 0), m("r3", 3, "r2", 0, "r1", 3)),
        Arguments.of(
            "scale up mid-rollout", "r2", 5, m("r1", 3, "r2", 3), m("r1", 3, "r2", 1), m("r2", 5, "r1", 3)),
        Arguments.of(
            "scale down mid-rollout", "r2", 1, m("r1", 3, "r2", 3), m("r1", 3, "r2", 0), m("r2", 1, "r1", 1)),
        Arguments.of(
            "scale down below the ready target", "r2", 1, m("r1", 3, "r2", 3), m("r1", 3, "r2", 2), m("r2", 1, "r1", 0)),
        Arguments.of("scale to zero", "r2", 0, m("r1", 3, "r2", 3), m("r1", 3, "r2", 3), m("r2", 0, "r1", 0)),
        Arguments.of(
            "rollback to an older revision that still runs",
            "r1", 3, m("r1", 1, "r2", 3), m("r1", 1, "r2", 3), m("r1", 3, "r2", 2)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void splits(
      String description,
      String target,
      int total,
      Map<String, Integer> running,
      Map<String, Integer> ready,
      Map<String, Integer> expected) {
    Map<String, Integer> desired = SurgeRollout.split(target, total, running, ready);
    // order matters: the target first, then older revisions newest first
    assertThat(desired).containsExactlyEntriesOf(expected);
  }

  /** One simulated instance: ready once its boot countdown reaches zero. */
  static final class Instance {
    int bootSteps;

    Instance(int bootSteps) {
      this.bootSteps = bootSteps;
    }

    boolean ready() {
      return bootSteps <= 0;
    }
  }

  /**
   * Applies plans step by step to a simulated fleet whose instances become ready after a random
   * number of steps, while the spec (target revision, total) changes at random. After every
   * applied plan: no ready capacity lost beyond what the new total asks, and at most 2 × total
   * instances exist.
   */
  @Test
  void randomHistoriesNeverLoseReadyCapacityOrSurgePastDouble() {
    for (long seed = 1; seed <= 500; seed++) {
      Random random = new Random(seed);
      // revision -> instances, oldest revision first
      Map<String, List<Instance>> fleet = new LinkedHashMap<>();
      int revisions = 1;
      String target = "r1";
      int total = random.nextInt(6);
      List<String> log = new ArrayList<>();
      for (int step = 0; step < 80; step++) {
        double roll = random.nextDouble();
        if (roll < 0.12) {
          target = "r" + (++revisions);
        } else if (roll < 0.16 && fleet.size() > 1) {
          // roll back to a revision that still exists
          List<String> existing = new ArrayList<>(fleet.keySet());
          target = existing.get(random.nextInt(existing.size()));
        } else if (roll < 0.26) {
          total = random.nextInt(8);
        }
        log.add(step + ":" + target + "/" + total);
        String context = "seed " + seed + ", steps " + log;

        Map<String, Integer> running = count(fleet, i -> true);
        Map<String, Integer> ready = count(fleet, Instance::ready);
        int readyBefore = ready.values().stream().mapToInt(Integer::intValue).sum();

        Map<String, Integer> desired = SurgeRollout.split(target, total, running, ready);

        assertThat(desired.get(target)).as(context).isEqualTo(total);
        assertThat(desired.keySet()).as(context).containsAll(running.keySet());
        assertThat(desired.values()).as(context).allMatch(n -> n >= 0);
        apply(desired, fleet, random);

        int readyAfter = count(fleet, Instance::ready).values().stream().mapToInt(Integer::intValue).sum();
        int instancesAfter = fleet.values().stream().mapToInt(List::size).sum();
        assertThat(readyAfter).as("ready after the plan; " + context).isGreaterThanOrEqualTo(Math.min(total, readyBefore));
        assertThat(instancesAfter).as("instances after the plan; " + context).isLessThanOrEqualTo(2 * total);

        tick(fleet);
      }
      // left alone, the fleet converges on the target
      for (int step = 0; step < 20; step++) {
        apply(SurgeRollout.split(target, total, count(fleet, i -> true), count(fleet, Instance::ready)), fleet, random);
        tick(fleet);
      }
      assertThat(fleet.keySet()).as("only the target is left; seed " + seed).isSubsetOf(target);
      assertThat(fleet.getOrDefault(target, List.of()))
          .as("converged; seed " + seed)
          .hasSize(total)
          .allMatch(Instance::ready);
    }
  }

  /** Starts or stops instances to match the plan; stops booting instances before ready ones. */
  private static void apply(Map<String, Integer> desired, Map<String, List<Instance>> fleet, Random random) {
    desired.forEach(
        (rev, want) -> {
          List<Instance> instances = fleet.computeIfAbsent(rev, r -> new ArrayList<>());
          while (instances.size() < want) {
            instances.add(new Instance(1 + random.nextInt(5)));
          }
          instances.sort((a, b) -> Boolean.compare(a.ready(), b.ready()));
          while (instances.size() > want) {
            instances.remove(0);
          }
        });
    fleet.values().removeIf(List::isEmpty);
  }

  /** Instances matching {@code which}, per revision, in the fleet's order. */
  private static Map<String, Integer> count(Map<String, List<Instance>> fleet, Predicate<Instance> which) {
    Map<String, Integer> counts = new LinkedHashMap<>();
    fleet.forEach((rev, instances) -> counts.put(rev, (int) instances.stream().filter(which).count()));
    return counts;
  }

  /** Time passes: booting instances progress. */
  private static void tick(Map<String, List<Instance>> fleet) {
    fleet.values().forEach(list -> list.forEach(i -> i.bootSteps--));
  }
}
