package io.dustcloud.provider.gce;

import static org.assertj.core.api.Assertions.assertThat;

import io.dustcloud.provider.FleetObservation;
import io.dustcloud.provider.FleetProvider;
import io.dustcloud.provider.FleetProviderContract;
import io.dustcloud.provider.InstanceView;
import io.dustcloud.provider.RevisionImage;
import io.dustcloud.testing.gce.FakeCompute;
import io.dustcloud.testing.gce.GceTesting;
import org.junit.jupiter.api.AfterEach;

/** The provider contract on the Compute fake, through Google's client. */
class GceProviderContractTest extends FleetProviderContract {
  private final FakeCompute fake = GceTesting.fake();

  @Override
  protected FleetProvider newProvider() {
    return GceTesting.provider(fake);
  }

  @Override
  protected RevisionImage image(String revision, String version) {
    return GceTesting.image(revision, version);
  }

  /** A managed group recreates an instance under the same name; it passes through STARTING again. */
  @Override
  protected void assertReplaced(InstanceView before, FleetObservation after) {
    assertThat(fake.calls()).containsEntry("instanceGroupManagers.recreateInstances", 1L);
    assertThat(after.instances()).filteredOn(i -> i.id().equals(before.id()))
        .singleElement().satisfies(i -> assertThat(i.state()).isNotEqualTo(io.dustcloud.provider.InstanceState.RUNNING));
  }

  @Override
  protected void assertNothingLeft() {
    assertThat(fake.groupKeys()).isEmpty();
    assertThat(fake.templateNames()).isEmpty();
    assertThat(fake.imageNames()).isEmpty();
  }

  @AfterEach
  void stop() {
    provider.close();
    fake.close();
  }
}
