package io.dustcloud.build;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalArtifactStoreTest {
  @TempDir Path dir;

  @Test
  void storesByContentOnce() throws Exception {
    LocalArtifactStore store = new LocalArtifactStore(dir.resolve("store"));
    Path a = Files.writeString(dir.resolve("a.bin"), "same bytes");
    Path b = Files.writeString(dir.resolve("b.bin"), "same bytes");

    LocalArtifactStore.Stored first = store.put(a);
    LocalArtifactStore.Stored second = store.put(b);

    assertThat(first).isEqualTo(second);
    assertThat(first.sha256()).isEqualTo(LocalArtifactStore.sha256(a));
    assertThat(first.path()).isEqualTo(dir.resolve("store/sha256/" + first.sha256()));
    assertThat(Files.readString(first.path())).isEqualTo("same bytes");
    try (Stream<Path> files = Files.list(first.path().getParent())) {
      assertThat(files).containsExactly(first.path());
    }
  }

  @Test
  void differentContentIsStoredApart() throws Exception {
    LocalArtifactStore store = new LocalArtifactStore(dir.resolve("store"));
    var one = store.put(Files.writeString(dir.resolve("1.bin"), "one"));
    var two = store.put(Files.writeString(dir.resolve("2.bin"), "two"));
    assertThat(one.path()).isNotEqualTo(two.path());
    assertThat(store.get(one.sha256())).contains(one.path());
    assertThat(store.get(two.sha256())).contains(two.path());
  }

  @Test
  void storedCopyIsExecutableAndReadOnly() throws Exception {
    LocalArtifactStore store = new LocalArtifactStore(dir.resolve("store"));
    Path original = Files.writeString(dir.resolve("app.bin"), "#!/bin/sh\n");

    Path stored = store.put(original).path();

    // checked on the mode bits: the tests may run as root, for whom everything is writable
    Set<PosixFilePermission> mode = Files.getPosixFilePermissions(stored);
    assertThat(mode).contains(PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_READ);
    assertThat(mode)
        .doesNotContain(
            PosixFilePermission.OWNER_WRITE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.OTHERS_WRITE);
  }

  @Test
  void editingTheOriginalNeverChangesTheStoredCopy() throws Exception {
    LocalArtifactStore store = new LocalArtifactStore(dir.resolve("store"));
    Path original = Files.writeString(dir.resolve("app.bin"), "v1");
    var stored = store.put(original);

    Files.writeString(original, "v2");
    var again = store.put(original);

    assertThat(Files.readString(stored.path())).isEqualTo("v1");
    assertThat(again.sha256()).isNotEqualTo(stored.sha256());
  }

  @Test
  void getOfUnknownDigestIsEmptyAndMalformedDigestsAreRefused() {
    LocalArtifactStore store = new LocalArtifactStore(dir.resolve("store"));
    assertThat(store.get("a".repeat(64))).isEmpty();
    assertThatThrownBy(() -> store.get("../../etc/passwd")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> store.pathOf("A".repeat(64))).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void sha256OfAFileMatchesTheKnownDigest() throws Exception {
    Path f = Files.writeString(dir.resolve("abc"), "abc");
    assertThat(LocalArtifactStore.sha256(f))
        .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  }
}
