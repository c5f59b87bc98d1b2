package io.dustcloud.dev;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class CelRulesTest {
  final CelRules cel = new CelRules();

  @Test
  void hasOnMaps() {
    Map<String, Object> local = Map.of("local", Map.of("runtime", "process"));
    assertThat(cel.check("has(self.gce) != has(self.local)", local, null)).isNull();
    assertThat(cel.check("has(self.gce) != has(self.local)", Map.of("local", Map.of(), "gce", Map.of()), null)).isEqualTo("failed");
    assertThat(cel.check("self.a <= self.b", Map.of("a", 1L, "b", 2L), null)).isNull();
    assertThat(cel.check("self == oldSelf", Map.of("a", 1L), Map.of("a", 1L))).isNull();
    assertThat(cel.check("self == oldSelf", Map.of("a", 1L), Map.of("a", 2L))).isEqualTo("failed");
  }
}
