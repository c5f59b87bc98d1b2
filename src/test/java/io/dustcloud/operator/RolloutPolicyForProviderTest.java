package io.dustcloud.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.dustcloud.api.v1alpha1.RolloutSpec;
import io.dustcloud.testing.TestingFleetProvider;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * keepPreviousSeconds is honoured only where the provider's endpoint can keep the previous
 * revision out of traffic: elsewhere (a GCE load balancer) its warm instances would go on serving
 * beside the promoted revision, and a promotion would not be one.
 */
class RolloutPolicyForProviderTest {
  @ParameterizedTest(name = "routes only to named instances: {0}, keepPreviousSeconds {1} -> {2}")
  @CsvSource({"true, 30, 30", "true, 0, 0", "false, 30, 0", "false, 0, 0"})
  void keepPreviousOnlyWhereTheEndpointRoutesByInstance(boolean routes, int keep, int expected) {
    RolloutSpec spec = new RolloutSpec();
    spec.keepPreviousSeconds = keep;
    TestingFleetProvider provider = new TestingFleetProvider("t");
    provider.routesOnlyToNamed = routes;
    var policy = RolloutStatus.policy(spec, provider);
    assertThat(policy.keepPrevious()).isEqualTo(Duration.ofSeconds(expected));
    // nothing else changes
    var plain = RolloutStatus.policy(spec);
    assertThat(policy.maxSurge()).isEqualTo(plain.maxSurge());
    assertThat(policy.verification()).isEqualTo(plain.verification());
    assertThat(policy.progressDeadline()).isEqualTo(plain.progressDeadline());
    assertThat(policy.autoRollback()).isEqualTo(plain.autoRollback());
  }

  @org.junit.jupiter.api.Test
  void theProvidersSayHowTheyRoute() {
    assertThat(new TestingFleetProvider("t").routesOnlyToNamedInstances()).isTrue();
    assertThat(new io.dustcloud.provider.FleetProvider() {
      public String name() {
        return "x";
      }

      public io.dustcloud.provider.FleetObservation observe(io.dustcloud.provider.FleetId f) {
        return null;
      }

      public io.dustcloud.provider.FleetObservation realize(io.dustcloud.provider.DesiredFleet d) {
        return null;
      }

      public void replace(io.dustcloud.provider.FleetId f, java.util.Collection<String> ids) {}

      public void delete(io.dustcloud.provider.FleetId f) {}

      public void release(io.dustcloud.provider.FleetId f) {}
    }.routesOnlyToNamedInstances()).as("a provider that does not say so").isFalse();
  }
}
