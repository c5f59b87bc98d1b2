package io.dustcloud.testing.gce;

import io.dustcloud.provider.RevisionImage;
import io.dustcloud.provider.gce.Backoff;
import io.dustcloud.provider.gce.GceConfig;
import io.dustcloud.provider.gce.GceProvider;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** GCE providers, images and fakes as the tests use them. */
public final class GceTesting {
  public static final String PROJECT = "dustcloud-test";
  public static final String ZONE = "europe-west1-b";
  public static final String GROUP_SCOPE = "zones/" + ZONE;
  /** The digest every test artifact names (and the fake's test bucket records for its objects). */
  public static final String SHA256 = FakeCompute.TEST_SHA256;
  /** Fast retries: tests inject faults and must not sleep for real backoff. */
  /** An external load balancer that drains leaving instances for 1 s (GCE's tests need no 30 s waits). */
  public static final io.dustcloud.provider.gce.LoadBalancerSettings LOAD_BALANCER =
      new io.dustcloud.provider.gce.LoadBalancerSettings(io.dustcloud.provider.gce.LoadBalancerSettings.Type.EXTERNAL,
          null, null, 1);
  public static final Backoff FAST = new Backoff(Duration.ofMillis(5), Duration.ofMillis(40), 12);

  private GceTesting() {}

  /** A fake whose instances boot in 100 ms + 100 ms. */
  public static FakeCompute fake() {
    FakeCompute fake = new FakeCompute();
    fake.provisioningMillis = 100;
    fake.stagingMillis = 100;
    return fake;
  }

  /**
   * A provider on the fake that observes afresh every time; it reaches instances at their
   * internal addresses, where the fake's instance servers answer.
   */
  public static GceProvider provider(FakeCompute fake) {
    return provider(fake, 60_000, Duration.ZERO, Clock.systemUTC());
  }

  public static GceProvider provider(FakeCompute fake, int callsPerMinute, Duration observeInterval, Clock clock) {
    return provider(fake, callsPerMinute, observeInterval, clock, List.of());
  }

  /** With the operator's source ranges, so fleets get the operator's firewall rule too. */
  public static GceProvider provider(FakeCompute fake, int callsPerMinute, Duration observeInterval, Clock clock,
      List<String> operatorRanges) {
    GceConfig config = GceConfig.anonymous(fake.endpoint(), callsPerMinute).withStorageEndpoint(fake.endpoint())
        .withObserveInterval(observeInterval).withBackoff(FAST).withOperatorRanges(operatorRanges);
    return GceProvider.create(config, clock);
  }

  public static RevisionImage image(String revision, String version) {
    return new RevisionImage(revision, "virtio", "gs://dustcloud-test/hello-" + version + ".tar.gz",
        SHA256, List.of("--version=" + version), 8080,
        new io.dustcloud.provider.gce.GceSettings(PROJECT, ZONE, null, "e2-micro", null, null, null,
            List.of("web", "dustcloud"), Map.of("team", "Platform"), LOAD_BALANCER));
  }
}
