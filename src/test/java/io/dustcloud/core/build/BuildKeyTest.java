package io.dustcloud.core.build;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class BuildKeyTest {
  static final BuildInputs BASE = new BuildInputs("git", "https://github.com/acme/hello.git",
      "0123456789abcdef0123456789abcdef01234567", "virtio",
      "ghcr.io/acme/builder@sha256:" + "a".repeat(64), "mirage/hello-virtio.opam.locked", "",
      List.of("--port=8080"), "gs://bucket/dustcloud");

  /** One change per input; {@link #everyInputIsCovered} fails when a new input has no row. */
  static final Map<String, UnaryOperator<BuildInputs>> CHANGES = Map.of(
      "kind", b -> new BuildInputs("local", b.source(), b.revision(), b.target(), b.builder(), b.lockFile(), b.artifact(), b.bakedBootArgs(), b.output()),
      "source", b -> new BuildInputs(b.kind(), "https://github.com/acme/fork.git", b.revision(), b.target(), b.builder(), b.lockFile(), b.artifact(), b.bakedBootArgs(), b.output()),
      "revision", b -> new BuildInputs(b.kind(), b.source(), "1123456789abcdef0123456789abcdef01234567", b.target(), b.builder(), b.lockFile(), b.artifact(), b.bakedBootArgs(), b.output()),
      "target", b -> new BuildInputs(b.kind(), b.source(), b.revision(), "hvt", b.builder(), b.lockFile(), b.artifact(), b.bakedBootArgs(), b.output()),
      "builder", b -> new BuildInputs(b.kind(), b.source(), b.revision(), b.target(), "ghcr.io/acme/builder@sha256:" + "b".repeat(64), b.lockFile(), b.artifact(), b.bakedBootArgs(), b.output()),
      "lockFile", b -> new BuildInputs(b.kind(), b.source(), b.revision(), b.target(), b.builder(), "hello.opam.locked", b.artifact(), b.bakedBootArgs(), b.output()),
      "artifact", b -> new BuildInputs(b.kind(), b.source(), b.revision(), b.target(), b.builder(), b.lockFile(), "dist/hello.virtio", b.bakedBootArgs(), b.output()),
      "bakedBootArgs", b -> new BuildInputs(b.kind(), b.source(), b.revision(), b.target(), b.builder(), b.lockFile(), b.artifact(), List.of("--port=9090"), b.output()),
      "output", b -> new BuildInputs(b.kind(), b.source(), b.revision(), b.target(), b.builder(), b.lockFile(), b.artifact(), b.bakedBootArgs(), "gs://other-bucket/dustcloud"));

  @Test
  void isA64HexDigestAndStable() {
    assertThat(BuildKey.of(BASE)).matches("[a-f0-9]{64}").isEqualTo(BuildKey.of(BASE));
    assertThat(BuildKey.isKey(BuildKey.of(BASE))).isTrue();
    assertThat(BuildKey.isKey("main")).isFalse();
  }

  @Test
  void everyInputChangesTheKey() {
    String base = BuildKey.of(BASE);
    Set<String> keys = new HashSet<>();
    CHANGES.forEach((input, change) -> {
      BuildInputs changed = change.apply(BASE);
      assertThat(changed).as(input).isNotEqualTo(BASE);
      String key = BuildKey.of(changed);
      assertThat(key).as("changing %s", input).isNotEqualTo(base);
      keys.add(key);
    });
    assertThat(keys).hasSize(CHANGES.size());
  }

  @Test
  void everyInputIsCovered() {
    Set<String> components = Arrays.stream(BuildInputs.class.getRecordComponents())
        .map(c -> c.getName()).collect(Collectors.toSet());
    assertThat(CHANGES.keySet()).isEqualTo(components);
  }

  @Test
  void valuesCannotBleedIntoEachOther() {
    BuildInputs oneArg = new BuildInputs("git", "u", "c", "virtio", "b", "", "", List.of("a b"), "");
    BuildInputs twoArgs = new BuildInputs("git", "u", "c", "virtio", "b", "", "", List.of("a", "b"), "");
    BuildInputs shifted = new BuildInputs("git", "u", "c", "virtio", "b", "l", "", List.of(), "");
    BuildInputs shiftedBack = new BuildInputs("git", "u", "c", "virtio", "b", "", "l", List.of(), "");
    assertThat(BuildKey.of(oneArg)).isNotEqualTo(BuildKey.of(twoArgs));
    assertThat(BuildKey.of(shifted)).isNotEqualTo(BuildKey.of(shiftedBack));
  }

  @Test
  void absentOptionalInputsEqualEmptyOnes() {
    BuildInputs nulls = new BuildInputs("git", "u", "c", "virtio", "b", null, null, null, null);
    BuildInputs empties = new BuildInputs("git", "u", "c", "virtio", "b", "", "", List.of(), "");
    assertThat(BuildKey.of(nulls)).isEqualTo(BuildKey.of(empties));
  }
}
