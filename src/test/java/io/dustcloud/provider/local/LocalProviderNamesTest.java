package io.dustcloud.provider.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.dustcloud.provider.DesiredFleet;
import io.dustcloud.provider.FleetId;
import io.dustcloud.provider.FleetObservation;
import io.dustcloud.provider.InstanceView;
import io.dustcloud.provider.RevisionImage;
import io.dustcloud.testing.ExampleApp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local provider with names as long as the API allows, and over the state files of an
 * operator from before state files were named by hash (an upgrade must adopt, not orphan).
 */
class LocalProviderNamesTest {
  @TempDir Path stateDir;
  private final List<LocalProvider> providers = new ArrayList<>();

  @AfterEach
  void cleanUp() {
    providers.forEach(LocalProvider::close);
    ExampleApp.killDescendants();
  }

  @Test
  void theLongestNamesAreRealizedAndDeleted() throws Exception {
    LocalProvider provider = newProvider();
    FleetId longest = new FleetId("n".repeat(63), "x".repeat(253));

    FleetObservation obs = provider.realize(DesiredFleet.single(longest, image(), 1));
    assertThat(obs.instances()).hasSize(1);
    provider.delete(longest);

    assertThat(provider.observe(longest).instances()).isEmpty();
    assertThat(stateFiles()).isEmpty();
  }

  @Test
  void anUpgradeAdoptsInstancesRecordedUnderTheOldFileName() throws Exception {
    FleetId fleet = new FleetId("default", "hello");
    LocalProvider before = newProvider();
    before.realize(DesiredFleet.single(fleet, image(), 2));
    List<String> ids = before.observe(fleet).instances().stream().map(InstanceView::id).toList();
    before.close();
    // as the operator before this one named it
    Path current = new FleetStateStore(stateDir).file(fleet);
    Path legacy = current.resolveSibling("default.hello.json");
    Files.move(current, legacy);

    LocalProvider after = newProvider();

    assertThat(after.observe(fleet).instances()).extracting(InstanceView::id).containsExactlyInAnyOrderElementsOf(ids);
    // adopting writes the state, under the new name only
    assertThat(stateFiles()).containsExactly(current.getFileName().toString());
    after.realize(DesiredFleet.single(fleet, image(), 2));
    assertThat(after.observe(fleet).instances()).extracting(InstanceView::id).containsExactlyInAnyOrderElementsOf(ids);
  }

  private LocalProvider newProvider() {
    LocalProvider p = new LocalProvider(stateDir);
    providers.add(p);
    return p;
  }

  private List<String> stateFiles() throws Exception {
    try (Stream<Path> files = Files.list(stateDir.resolve("fleets"))) {
      return files.map(f -> f.getFileName().toString()).toList();
    }
  }

  private static RevisionImage image() {
    return new RevisionImage("r1", "unix", ExampleApp.binary().toString(), null,
        List.of("--version=v1"), 8080, LocalSettings.DEFAULT);
  }
}
