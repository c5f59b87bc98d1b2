package io.dustcloud.provider.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.dustcloud.provider.FleetId;
import io.dustcloud.provider.RevisionImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FleetStateStoreTest {
  private static final FleetId FLEET = new FleetId("default", "hello");

  @TempDir Path stateDir;

  @Test
  void imagesKeepTheirTypedSettings() {
    FleetStateStore store = new FleetStateStore(stateDir);
    RevisionImage image = new RevisionImage("r1", "virtio", "/a/disk.tar.gz", null, List.of("-v"), 8080,
        new LocalSettings("qemu", 256, 2));
    store.save(new FleetState(FLEET.namespace(), FLEET.name(), 40000, Map.of("r1", image), List.of()));

    assertThat(store.loadAll()).singleElement().satisfies(s -> assertThat(s.images()).containsEntry("r1", image));
  }

  @Test
  void readsStateWhoseSettingsWereAMapOfStrings() throws Exception {
    FleetStateStore store = new FleetStateStore(stateDir);
    Files.createDirectories(store.file(FLEET).getParent());
    Files.writeString(store.file(FLEET), """
        {"namespace":"default","name":"hello","endpointPort":40000,
         "images":{"r1":{"revision":"r1","format":"virtio","artifact":"/a/disk.tar.gz","sha256":null,
           "bootArgs":[],"port":8080,"settings":{"runtime":"qemu","memoryMiB":"256","cpus":"2"}},
           "r0":{"revision":"r0","format":"unix","artifact":"/a/hello","sha256":null,
           "bootArgs":[],"port":8080,"settings":{}}},
         "instances":[]}
        """);

    FleetState state = store.loadAll().get(0);

    assertThat(state.images().get("r1").settings()).isEqualTo(new LocalSettings("qemu", 256, 2));
    assertThat(state.images().get("r0").settings()).isEqualTo(LocalSettings.DEFAULT);
  }
}
