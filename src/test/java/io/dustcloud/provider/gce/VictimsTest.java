package io.dustcloud.provider.gce;

import static org.assertj.core.api.Assertions.assertThat;

import io.dustcloud.provider.DesiredFleet;
import io.dustcloud.provider.FleetId;
import io.dustcloud.provider.InstanceState;
import io.dustcloud.provider.InstanceView;
import io.dustcloud.testing.gce.GceTesting;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which instances leave a group: the rule, case by case. */
class VictimsTest {
  static final FleetId FLEET = new FleetId("ns", "web");

  static InstanceView vm(String id, String rev, InstanceState state, int createdSecond) {
    return new InstanceView(id, rev, "10.0.0." + id.hashCode() % 200 + ":8080", state, Instant.ofEpochSecond(createdSecond));
  }

  static DesiredFleet want(Object... revAndCount) {
    Map<String, DesiredFleet.Target> t = new LinkedHashMap<>();
    for (int i = 0; i < revAndCount.length; i += 2) {
      t.put((String) revAndCount[i], new DesiredFleet.Target(GceTesting.image((String) revAndCount[i], "x"),
          (Integer) revAndCount[i + 1]));
    }
    return new DesiredFleet(FLEET, t);
  }

  static List<String> ids(List<InstanceView> vs) {
    return vs.stream().map(InstanceView::id).toList();
  }

  @Test
  void scaleInRemovesInstancesThatServeNobodyFirstThenTheYoungest() {
    List<InstanceView> vms = List.of(vm("a", "v1", InstanceState.RUNNING, 1), vm("b", "v1", InstanceState.RUNNING, 2),
        vm("c", "v1", InstanceState.STARTING, 3), vm("d", "v1", InstanceState.RUNNING, 4),
        vm("e", "v1", InstanceState.RUNNING, 5));
    // e is running but not ready: it goes with c before any serving instance; then the youngest serving one (d)
    assertThat(ids(Victims.choose(want("v1", 2), vms, Set.of("a", "b", "d"), 10))).containsExactly("e", "c", "d");
  }

  @Test
  void aRolloutStepRemovesOnlyTheOutgoingRevisionsSurplus() {
    List<InstanceView> vms = List.of(vm("a", "v1", InstanceState.RUNNING, 1), vm("b", "v1", InstanceState.RUNNING, 2),
        vm("c", "v1", InstanceState.RUNNING, 3), vm("n", "v2", InstanceState.RUNNING, 9));
    assertThat(ids(Victims.choose(want("v2", 2, "v1", 2), vms, Set.of("a", "b", "c", "n"), 10))).containsExactly("c");
  }

  @Test
  void aRevisionNoLongerWantedLeavesWhole() {
    List<InstanceView> vms = List.of(vm("a", "v1", InstanceState.RUNNING, 1), vm("n", "v2", InstanceState.RUNNING, 9));
    assertThat(ids(Victims.choose(want("v2", 1), vms, Set.of("a", "n"), 10))).containsExactly("a");
  }

  @Test
  void nothingLeavesWhenEveryRevisionHasAtMostItsShare() {
    List<InstanceView> vms = List.of(vm("a", "v1", InstanceState.RUNNING, 1), vm("n", "v2", InstanceState.STARTING, 9));
    assertThat(Victims.choose(want("v2", 2, "v1", 1), vms, Set.of("a"), 10)).isEmpty();
  }

  @Test
  void atMostRoomLeave() {
    List<InstanceView> vms = List.of(vm("a", "v1", InstanceState.RUNNING, 1), vm("b", "v1", InstanceState.RUNNING, 2),
        vm("c", "v1", InstanceState.RUNNING, 3));
    assertThat(ids(Victims.choose(want("v1", 0), vms, Set.of("a", "b", "c"), 2))).containsExactly("c", "b");
  }
}
