package io.dustcloud.provider.gce;

import static org.assertj.core.api.Assertions.assertThat;

import io.dustcloud.provider.FleetId;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GceNamesTest {
  private static final String VALID = "[a-z]([-a-z0-9]*[a-z0-9])?";

  @Test
  void namesAreValidDeterministicAndShortEnough() {
    FleetId longOne = new FleetId("n".repeat(63), "a".repeat(63));
    for (String name : new String[] {
        GceNames.group(new FleetId("default", "hello")), GceNames.group(longOne),
        GceNames.template(longOne, "a".repeat(52) + "-0123456789"), GceNames.template(new FleetId("x", "9lives"), "9lives-abc")}) {
      assertThat(name).matches(VALID).hasSizeLessThanOrEqualTo(63);
    }
    assertThat(GceNames.group(new FleetId("default", "hello"))).startsWith("dc-default-hello-")
        .isEqualTo(GceNames.group(new FleetId("default", "hello")));
  }

  @Test
  void distinctInputsNeverCollide() {
    assertThat(GceNames.group(new FleetId("a-b", "c"))).isNotEqualTo(GceNames.group(new FleetId("a", "b-c")));
    FleetId one = new FleetId("team", "x".repeat(60) + "1");
    FleetId two = new FleetId("team", "x".repeat(60) + "2");
    assertThat(GceNames.group(one)).isNotEqualTo(GceNames.group(two));
    assertThat(GceNames.template(one, "r1")).isNotEqualTo(GceNames.template(one, "r2"));
  }

  @Test
  void labelsFollowGceRulesAndOursWin() {
    Map<String, String> labels = GceLabels.of(new FleetId("default", "hello"), "hello-5d8f7c",
        Map.of("Team", "Web Platform", "managed-by", "someone", "1x", "v"));
    assertThat(labels).containsEntry("team", "web_platform").containsEntry("managed-by", "dustcloud")
        .containsEntry("dustcloud-namespace", "default").containsEntry("dustcloud-name", "hello")
        .containsEntry("dustcloud-revision", "hello-5d8f7c").containsEntry("x1x", "v");
  }

  @Test
  void cloudStorageUrlsBecomeHttps() {
    assertThat(GceResources.httpsUrl("gs://b/dir/o.tar.gz")).isEqualTo("https://storage.googleapis.com/b/dir/o.tar.gz");
    assertThat(GceResources.httpsUrl("https://x/y")).isEqualTo("https://x/y");
  }
}
