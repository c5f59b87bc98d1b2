package io.dustcloud.provider.gce;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.cloud.compute.v1.InstanceGroupManager;
import com.google.cloud.compute.v1.InstanceGroupManagerVersion;
import io.dustcloud.provider.gce.GroupShape.Version;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class GroupPlanTest {
  static final Optional<InstanceGroupManager> ON_V1_OF_3 = Optional.of(InstanceGroupManager.newBuilder()
      .addVersions(InstanceGroupManagerVersion.newBuilder().setInstanceTemplate("projects/p/global/instanceTemplates/v1"))
      .setTargetSize(3).setUpdatePolicy(UpdatePolicies.ours()).build());

  @Test
  void aSurgeIsPatchedBeforeTheResizeSoTheNewInstanceIsCreatedFromTheNewTemplate() {
    GroupPlan plan = GroupPlan.of(ON_V1_OF_3, new GroupShape(List.of(new Version("v2", 1), new Version("v1", null)), 4));
    assertThat(plan).isEqualTo(new GroupPlan(false, true, true, false));
  }

  @Test
  void fixedSizesAboveTheCurrentSizeWaitForTheResize() {
    GroupPlan plan = GroupPlan.of(ON_V1_OF_3, new GroupShape(List.of(new Version("v2", 4), new Version("v1", null)), 5));
    assertThat(plan).isEqualTo(new GroupPlan(false, true, true, true));
  }

  @Test
  void shrinkingPatchesFirst() {
    GroupPlan plan = GroupPlan.of(ON_V1_OF_3, new GroupShape(List.of(new Version("v2", 1), new Version("v1", null)), 2));
    assertThat(plan).isEqualTo(new GroupPlan(false, true, true, false));
  }
}
