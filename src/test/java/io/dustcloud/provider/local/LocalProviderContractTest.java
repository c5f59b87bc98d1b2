package io.dustcloud.provider.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.dustcloud.provider.FleetObservation;
import io.dustcloud.provider.FleetProvider;
import io.dustcloud.provider.FleetProviderContract;
import io.dustcloud.provider.InstanceView;
import io.dustcloud.provider.RevisionImage;
import io.dustcloud.testing.ExampleApp;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/** The provider contract on this host: instances are processes of the example app. */
class LocalProviderContractTest extends FleetProviderContract {
  @TempDir Path stateDir;
  private final List<LocalProvider> providers = new ArrayList<>();

  @Override
  protected FleetProvider newProvider() {
    LocalProvider p = new LocalProvider(stateDir);
    providers.add(p);
    return p;
  }

  @Override
  protected RevisionImage image(String revision, String version) {
    return new RevisionImage(revision, "unix", ExampleApp.binary().toString(), null,
        List.of("--version=" + version), 8080, io.dustcloud.provider.local.LocalSettings.DEFAULT);
  }

  @Override
  protected void assertReplaced(InstanceView before, FleetObservation after) {
    assertThat(after.instances()).extracting(InstanceView::id).doesNotContain(before.id());
  }

  @Override
  protected void assertNothingLeft() {
    assertThat(ExampleApp.instances()).isEmpty();
    assertThat(new FleetStateStore(stateDir).file(FLEET)).doesNotExist();
  }

  @AfterEach
  void cleanUp() {
    providers.forEach(LocalProvider::close);
    ExampleApp.killDescendants();
  }
}
