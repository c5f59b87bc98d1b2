package io.dustcloud.provider.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.dustcloud.provider.FleetId;
import io.dustcloud.provider.RevisionImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
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

  @Test
  void everyLegalNameFitsInAFileName() {
    // 255 bytes, less the longest suffix the store adds (".unreadable", ".tmp")
    for (String ns : List.of("a", "default", "n".repeat(63))) {
      for (int length : new int[] {1, 63, 64, 238, 239, 240, 250, 253}) {
        String name = "x".repeat(length);
        String file = FleetStateStore.fileName(new FleetId(ns, name));
        assertThat(file.getBytes(StandardCharsets.UTF_8).length + ".unreadable".length())
            .as("%s/%s (%d characters)", ns, name, length).isLessThanOrEqualTo(255);
      }
    }
  }

  @Test
  void distinctFleetsNeverShareAFile() {
    List<FleetId> fleets = new java.util.ArrayList<>();
    String common = "p".repeat(240);
    for (String ns : List.of("a", "ab", "default", "n".repeat(63))) {
      // names that share the readable prefix (cut at 100), differ only in '.' and '-', or split
      // namespace/name at another place ("a"/"b.c" and "a.b"/"c" are not both namespaces, but
      // "ab"/"c" and "a"/"bc" are)
      for (String name : List.of("c", "bc", "b.c", "b-c", common + "1", common + "2", common + "3",
          common.substring(0, 200) + ".x", common.substring(0, 200) + "-x", "z".repeat(253))) {
        fleets.add(new FleetId(ns, name));
      }
    }
    Set<String> files = new HashSet<>();
    fleets.forEach(f -> assertThat(files.add(FleetStateStore.fileName(f))).as("file of %s is unique", f).isTrue());
  }

  @Test
  void fleetsWithTheLongestNamesAreSavedReadAndDeleted() {
    FleetStateStore store = new FleetStateStore(stateDir);
    FleetId longest = new FleetId("n".repeat(63), "x".repeat(253));
    store.save(new FleetState(longest.namespace(), longest.name(), 40000, Map.of(), List.of()));

    assertThat(store.loadAll()).singleElement().satisfies(s -> assertThat(s.fleetId()).isEqualTo(longest));
    store.delete(longest);
    assertThat(store.loadAll()).isEmpty();
  }

  @Test
  void stateOfAnOlderOperatorIsReadThenRenamedOnTheNextSave() throws Exception {
    FleetStateStore store = new FleetStateStore(stateDir);
    Path legacy = stateDir.resolve("fleets").resolve("default.hello.json");
    Files.writeString(legacy, """
        {"namespace":"default","name":"hello","endpointPort":40000,"images":{},"instances":[]}
        """);

    FleetState state = store.loadAll().get(0);
    assertThat(state.fleetId()).isEqualTo(FLEET);
    store.save(state);

    assertThat(legacy).doesNotExist();
    assertThat(store.file(FLEET)).exists();
    assertThat(store.loadAll()).singleElement().satisfies(s -> assertThat(s.fleetId()).isEqualTo(FLEET));
  }

  @Test
  void whenBothNamesExistTheNewOneWinsAndDeleteRemovesBoth() throws Exception {
    FleetStateStore store = new FleetStateStore(stateDir);
    Path legacy = stateDir.resolve("fleets").resolve("default.hello.json");
    Files.writeString(legacy, """
        {"namespace":"default","name":"hello","endpointPort":40000,"images":{},"instances":[]}
        """);
    Files.writeString(store.file(FLEET), """
        {"namespace":"default","name":"hello","endpointPort":40001,"images":{},"instances":[]}
        """);

    assertThat(store.loadAll()).singleElement().satisfies(s -> assertThat(s.endpointPort()).isEqualTo(40001));
    store.delete(FLEET);
    assertThat(legacy).doesNotExist();
    assertThat(store.file(FLEET)).doesNotExist();
  }
}
