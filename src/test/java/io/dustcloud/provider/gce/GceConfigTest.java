package io.dustcloud.provider.gce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The GCE provider's settings from the environment: the operator's ranges and the storage endpoint. */
class GceConfigTest {
  @Test
  void operatorRangesAreReadAndAMalformedOneStopsTheStartNamingIt() {
    GceConfig c = GceConfig.fromEnv(Map.of("DUSTCLOUD_GCE_OPERATOR_RANGES", " 10.8.0.0/14, 192.168.0.0/16 ,"));
    assertThat(c.operatorRanges()).containsExactly("10.8.0.0/14", "192.168.0.0/16");
    assertThat(GceConfig.fromEnv(Map.of()).operatorRanges()).isEmpty();
    assertThatThrownBy(() -> GceConfig.fromEnv(Map.of("DUSTCLOUD_GCE_OPERATOR_RANGES", "10.8.0.0/14,pods")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("DUSTCLOUD_GCE_OPERATOR_RANGES: 'pods' is not an IPv4 CIDR such as 10.8.0.0/14");
  }

  @Test
  void theStorageEndpointDefaultsToGooglesAndCanBeSet() {
    assertThat(GceConfig.fromEnv(Map.of()).storageEndpoint()).isEqualTo("https://storage.googleapis.com");
    assertThat(GceConfig.fromEnv(Map.of("DUSTCLOUD_GCS_ENDPOINT", "http://127.0.0.1:9")).storageEndpoint())
        .isEqualTo("http://127.0.0.1:9");
  }
}
