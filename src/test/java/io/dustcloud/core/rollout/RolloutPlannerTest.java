package io.dustcloud.core.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RolloutPlannerTest {

  /** "v1=3/3,v2=1/0": revision=running/ready, oldest first. */
  static Map<String, RevisionCounts> counts(String spec) {
    Map<String, RevisionCounts> m = new LinkedHashMap<>();
    if (spec.isEmpty()) {
      return m;
    }
    for (String part : spec.split(",")) {
      String[] kv = part.split("=");
      String[] rr = kv[1].split("/");
      m.put(kv[0], new RevisionCounts(Integer.parseInt(rr[0]), Integer.parseInt(rr[1])));
    }
    return m;
  }

  static Stream<Arguments> table() {
    return Stream.of(
        // name, target, total, surge, unavailable, current, expected desired (target first), complete
        Arguments.of("fresh create", "v1", 3, 1, 0, "", "v1=3", false),
        Arguments.of("steady state", "v1", 3, 1, 0, "v1=3/3", "v1=3", true),
        Arguments.of("surge 1 / unavailable 0: one new first", "v2", 3, 1, 0, "v1=3/3", "v2=1,v1=3", false),
        Arguments.of("surge 1: waits while the new one boots", "v2", 3, 1, 0, "v1=3/3,v2=1/0", "v2=1,v1=3", false),
        Arguments.of("surge 1: one ready new frees one old", "v2", 3, 1, 0, "v1=3/3,v2=1/1", "v2=2,v1=2", false),
        Arguments.of("surge 0 / unavailable 1: old goes first", "v2", 3, 0, 1, "v1=3/3", "v2=1,v1=2", false),
        Arguments.of("surge 0 / unavailable 1: waits for the new one", "v2", 3, 0, 1, "v1=2/2,v2=1/0", "v2=1,v1=2", false),
        Arguments.of("surge 0 / unavailable 1: next step", "v2", 3, 0, 1, "v1=2/2,v2=1/1", "v2=2,v1=1", false),
        Arguments.of("surge 100%: all new at once, old kept", "v2", 3, 3, 0, "v1=3/3", "v2=3,v1=3", false),
        Arguments.of("surge 100%: all new ready, old go", "v2", 3, 3, 0, "v1=3/3,v2=3/3", "v2=3,v1=0", false),
        Arguments.of("done once old are gone", "v2", 3, 1, 0, "v2=3/3", "v2=3", true),
        Arguments.of("unready old are dropped at once", "v2", 3, 1, 0, "v1=3/1", "v2=3,v1=1", false),
        Arguments.of("oldest revision drained first", "v3", 2, 1, 0, "v1=1/1,v2=1/1,v3=2/2", "v3=2,v2=0,v1=0", false),
        Arguments.of("partial: oldest goes first", "v3", 2, 0, 1, "v1=1/1,v2=1/1", "v3=1,v2=1,v1=0", false),
        Arguments.of("autoscaler grows mid-rollout", "v2", 5, 1, 0, "v1=3/3,v2=1/1", "v2=3,v1=3", false),
        Arguments.of("autoscaler shrinks mid-rollout", "v2", 2, 1, 0, "v1=2/2,v2=2/1", "v2=2,v1=1", false),
        Arguments.of("rollback mid-rollout: back to v1", "v1", 3, 1, 0, "v1=2/2,v2=2/2", "v1=3,v2=1", false),
        Arguments.of("rollback to warm standby: instant", "v1", 3, 1, 0, "v1=3/3,v2=3/3", "v1=3,v2=0", false),
        Arguments.of("scale to zero", "v1", 0, 1, 0, "v1=2/2", "v1=0", false));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("table")
  void plans(String name, String target, int total, int surge, int unavailable, String current, String expected, boolean complete) {
    RolloutStep step = RolloutPlanner.plan(target, total, counts(current), surge, unavailable);
    Map<String, Integer> want = new LinkedHashMap<>();
    counts(expected.replaceAll("=(\\d+)", "=$1/0")).forEach((k, v) -> want.put(k, v.running()));
    assertThat(step.desired()).containsExactlyEntriesOf(want);
    assertThat(step.complete()).isEqualTo(complete);
  }

  @Test
  void resolvesPercentages() {
    assertThat(RolloutPlanner.resolve("25%", 10, true)).isEqualTo(3);
    assertThat(RolloutPlanner.resolve("25%", 10, false)).isEqualTo(2);
    assertThat(RolloutPlanner.resolve("2", 10, true)).isEqualTo(2);
  }

  /** One simulated instance: its revision and whether it serves. */
  record Instance(String revision, boolean ready) {}

  /**
   * Random histories: revisions roll forward and back, the autoscaler changes the total,
   * instances boot after random delays, and the planner's plan is applied each step. The
   * invariants hold at every step and every history converges once changes stop.
   */
  @Test
  void invariantsHoldOverRandomHistories() {
    for (long seed = 0; seed < 400; seed++) {
      Random random = new Random(seed);
      int surge = random.nextInt(3);
      int unavailable = random.nextInt(3);
      if (surge + unavailable == 0) {
        surge = 1; // both zero is refused by validation: the rollout could never move
      }
      List<Instance> fleet = new ArrayList<>();
      List<String> history = new ArrayList<>();
      String target = "v0";
      int total = 1 + random.nextInt(6);
      for (int step = 0; step < 120; step++) {
        boolean changes = step < 80;
        if (changes && random.nextInt(10) == 0) {
          target = "v" + random.nextInt(4);
        }
        if (changes && random.nextInt(8) == 0) {
          total = random.nextInt(7);
        }
        Map<String, RevisionCounts> current = tally(fleet);
        int readyBefore = (int) fleet.stream().filter(Instance::ready).count();
        RolloutStep plan = RolloutPlanner.plan(target, total, current, surge, unavailable);
        String where = "seed " + seed + " step " + step + " target " + target + " total " + total
            + " surge " + surge + " unavailable " + unavailable + " current " + current + " plan " + plan.desired()
            + " history " + history;
        int runningNow = fleet.size();
        assertThat(plan.total()).as(where).isLessThanOrEqualTo(Math.max(total + surge, runningNow));
        apply(plan, fleet);
        int readyAfter = (int) fleet.stream().filter(Instance::ready).count();
        assertThat(readyAfter).as(where).isGreaterThanOrEqualTo(Math.min(total - unavailable, readyBefore));
        // instances boot at random
        for (int i = 0; i < fleet.size(); i++) {
          if (!fleet.get(i).ready() && random.nextInt(3) == 0) {
            fleet.set(i, new Instance(fleet.get(i).revision(), true));
          }
        }
        history.add(target + ":" + total);
      }
      final String t = target;
      final int n = total;
      assertThat(fleet).as("seed %d converges", seed).hasSize(n).allMatch(i -> i.revision().equals(t) && i.ready());
      assertThat(RolloutPlanner.plan(target, total, tally(fleet), surge, unavailable).complete()).isTrue();
    }
  }

  static Map<String, RevisionCounts> tally(List<Instance> fleet) {
    Map<String, int[]> c = new LinkedHashMap<>();
    for (Instance i : fleet) {
      int[] rr = c.computeIfAbsent(i.revision(), r -> new int[2]);
      rr[0]++;
      rr[1] += i.ready() ? 1 : 0;
    }
    Map<String, RevisionCounts> out = new LinkedHashMap<>();
    // oldest first: revisions by name stand in for creation order
    c.keySet().stream().sorted().forEach(r -> out.put(r, new RevisionCounts(c.get(r)[0], c.get(r)[1])));
    return out;
  }

  /** Stops unready instances first (as providers do), then ready ones; starts missing ones unready. */
  static void apply(RolloutStep plan, List<Instance> fleet) {
    fleet.removeIf(i -> !plan.desired().containsKey(i.revision()));
    plan.desired().forEach((revision, want) -> {
      List<Instance> mine = new ArrayList<>(fleet.stream().filter(i -> i.revision().equals(revision)).toList());
      mine.sort((a, b) -> Boolean.compare(a.ready(), b.ready()));
      for (int k = 0; k < mine.size() - want; k++) {
        fleet.remove(mine.get(k));
      }
      for (int k = mine.size(); k < want; k++) {
        fleet.add(new Instance(revision, false));
      }
    });
  }
}
