package io.dustcloud.core.revision;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class RevisionNamingTest {
  static final String DNS_1123_LABEL = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
  static final String HASH = RevisionNaming.hash("{\"port\":8080}");
  /** Characters of the unikernel name that fit before "-<hash>". */
  static final int ROOM = RevisionNaming.MAX_NAME - RevisionNaming.HASH_LENGTH - 1;

  @Test
  void hashIsDeterministicAndTenLowercaseHexCharacters() {
    assertThat(RevisionNaming.hash("{\"a\":1}")).isEqualTo(RevisionNaming.hash("{\"a\":1}"));
    assertThat(RevisionNaming.hash("{\"a\":1}")).matches("[0-9a-f]{10}");
    assertThat(RevisionNaming.hash("")).matches("[0-9a-f]{10}");
    // the leading characters of SHA-256, not something else of that length
    assertThat(RevisionNaming.hash("abc")).isEqualTo("ba7816bf8f");
  }

  @Test
  void hashDiffersForDifferentInput() {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 2000; i++) {
      assertThat(seen.add(RevisionNaming.hash("{\"port\":" + i + "}"))).as("hash of port %d is new", i).isTrue();
    }
    assertThat(RevisionNaming.hash("{\"a\":1}")).isNotEqualTo(RevisionNaming.hash("{\"a\":1} "));
  }

  @Test
  void sha256HexIsTheFullDigest() {
    assertThat(RevisionNaming.sha256Hex("abc".getBytes(java.nio.charset.StandardCharsets.UTF_8)))
        .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  }

  static Stream<Arguments> names() {
    return Stream.of(
        Arguments.of("short", "hello", "hello-" + HASH),
        Arguments.of("exactly the room", "a".repeat(ROOM), "a".repeat(ROOM) + "-" + HASH),
        Arguments.of("one over the room", "a".repeat(ROOM + 1), "a".repeat(ROOM) + "-" + HASH),
        Arguments.of("63 characters", "b".repeat(63), "b".repeat(ROOM) + "-" + HASH),
        Arguments.of("253 characters", "c".repeat(253), "c".repeat(ROOM) + "-" + HASH),
        Arguments.of(
            "'-' at the cut point",
            "a".repeat(ROOM - 1) + "-tail",
            "a".repeat(ROOM - 1) + "-" + HASH),
        Arguments.of(
            "several '-' before the cut point",
            "a".repeat(ROOM - 3) + "---tail",
            "a".repeat(ROOM - 3) + "-" + HASH),
        Arguments.of(
            "'-' just after the cut point is cut away",
            "a".repeat(ROOM) + "-tail",
            "a".repeat(ROOM) + "-" + HASH),
        Arguments.of(
            "inner dashes survive",
            "my-web-app-" + "d".repeat(60),
            ("my-web-app-" + "d".repeat(60)).substring(0, ROOM) + "-" + HASH));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("names")
  void namesFitInALabelAndEndWithTheHash(String description, String unikernel, String expected) {
    String name = RevisionNaming.name(unikernel, HASH);
    assertThat(name).isEqualTo(expected);
    assertThat(name.length()).isLessThanOrEqualTo(63);
    assertThat(name).matches(DNS_1123_LABEL).endsWith("-" + HASH);
    assertThat(name).doesNotContain("--" + HASH);
  }

  @Test
  void everyCutOfALongDashedNameIsAValidLabel() {
    // a '-' at every possible position around the cut
    for (int dash = 1; dash < 70; dash++) {
      String unikernel = "x".repeat(dash) + "-" + "y".repeat(70 - dash);
      String name = RevisionNaming.name(unikernel, HASH);
      assertThat(name).as("name for dash at %d: %s", dash, unikernel).matches(DNS_1123_LABEL);
      assertThat(name.length()).as("length for dash at %d", dash).isLessThanOrEqualTo(63);
      assertThat(unikernel).startsWith(name.substring(0, name.length() - HASH.length() - 1));
    }
  }

  @Test
  void sameNameAndHashGiveTheSameRevisionName() {
    assertThat(RevisionNaming.name("hello", HASH)).isEqualTo(RevisionNaming.name("hello", HASH));
    assertThat(RevisionNaming.name("hello", HASH))
        .isNotEqualTo(RevisionNaming.name("hello", RevisionNaming.hash("other")));
  }

  @Test
  void longNamesBecomeValidDistinctLabelValues() {
    String a = "svc.team-" + "x".repeat(180) + "-a";
    String b = "svc.team-" + "x".repeat(180) + "-b";
    assertThat(RevisionNaming.labelValue("hello")).isEqualTo("hello");
    assertThat(RevisionNaming.labelValue(a)).hasSizeLessThanOrEqualTo(63)
        .matches("(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?")
        .isNotEqualTo(RevisionNaming.labelValue(b));
  }
}
