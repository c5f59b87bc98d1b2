package io.dustcloud.provider.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.dustcloud.build.LocalArtifactStore;
import io.dustcloud.provider.RevisionImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A mismatching artifact is refused without disclosing its digest. */
class ArtifactDigestsTest {
  @TempDir Path dir;

  @Test
  void aMismatchNamesTheExpectedDigestOnly() throws Exception {
    Path file = Files.writeString(dir.resolve("app"), "not what was recorded\n");
    String actual = LocalArtifactStore.sha256(file);
    String expected = "ab".repeat(32);
    RevisionImage image = new RevisionImage("web-0123456789", "unix", file.toString(), expected, List.of(), 8080,
        LocalSettings.DEFAULT);

    String why = new ArtifactDigests().mismatch(image, file);

    assertThat(why).contains(expected).contains("does not match").doesNotContain(actual);
    assertThat(new ArtifactDigests().mismatch(new RevisionImage("web-0123456789", "unix", file.toString(), actual,
        List.of(), 8080, LocalSettings.DEFAULT), file)).isNull();
  }
}
