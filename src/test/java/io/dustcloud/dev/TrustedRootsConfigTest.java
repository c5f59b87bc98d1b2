package io.dustcloud.dev;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dustcloud.operator.OperatorConfig;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which directories the local provider may read from, as dev mode and a cluster configure it. */
class TrustedRootsConfigTest {
  @Test
  void aClusterTrustsNoLocalFilesUnlessTold() {
    assertThat(OperatorConfig.fromEnv(Map.of()).trustedRoots()).isEmpty();
    assertThat(OperatorConfig.fromEnv(Map.of("DUSTCLOUD_TRUSTED_ROOTS", "/srv/images:/srv/src")).trustedRoots())
        .containsExactly(Path.of("/srv/images"), Path.of("/srv/src"));
  }

  @Test
  void aRelativeClusterRootIsAnError() {
    assertThatThrownBy(() -> OperatorConfig.fromEnv(Map.of("DUSTCLOUD_TRUSTED_ROOTS", "images")))
        .hasMessageContaining("DUSTCLOUD_TRUSTED_ROOTS: images is not an absolute path");
  }

  @Test
  void devModeTrustsItsWorkingAndStateDirectoriesAndEachTrustOption() {
    var options = DevMode.Options.parse(new String[] {"--state-dir", "/tmp/s", "--trust", "/opt/a", "--trust", "b"});

    assertThat(options.trust()).containsExactly(Path.of("/opt/a"), Path.of("b").toAbsolutePath());
    assertThat(OperatorConfig.dev(options.stateDir(), 0).trusting(options.trust()).trustedRoots())
        .containsExactly(Path.of("").toAbsolutePath(), Path.of("/tmp/s"), Path.of("/opt/a"), Path.of("b").toAbsolutePath());
    assertThat(OperatorConfig.dev(options.stateDir(), 0).withHttpPort(9).trustedRoots()).hasSize(2);
  }

  @Test
  void trustNeedsADirectory() {
    assertThatThrownBy(() -> DevMode.Options.parse(new String[] {"--trust"})).hasMessage("--trust needs a value");
  }
}
