package io.dustcloud.provider.gce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.dustcloud.core.Reason;
import io.dustcloud.provider.CreationProblem;
import io.dustcloud.provider.DesiredFleet;
import io.dustcloud.provider.FleetId;
import io.dustcloud.provider.FleetObservation;
import io.dustcloud.provider.InstanceState;
import io.dustcloud.provider.ProviderException;
import io.dustcloud.provider.RevisionImage;
import io.dustcloud.testing.gce.FakeCompute;
import io.dustcloud.testing.gce.GceTesting;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** GCE's failures through the provider, in GCE's words: instances it cannot create, images it cannot import. */
class GceFailuresTest {
  static final FleetId FLEET = new FleetId("default", "web");
  static final Duration WAIT = Duration.ofSeconds(30);
  static final String QUOTA = "Quota 'CPUS' exceeded.  Limit: 8.0 in region europe-west1.";
  final FakeCompute fake = GceTesting.fake();
  GceProvider provider = GceTesting.provider(fake);

  @AfterEach
  void stop() {
    provider.close();
    fake.close();
  }

  static DesiredFleet fleet(int n) {
    return DesiredFleet.single(FLEET, GceTesting.image("web-r1", "v1"), n);
  }

  @Test
  void instancesGceCannotCreateAreReportedWithItsErrorAndNotAsBootingUntilTheyCanBe() {
    fake.failCreations("QUOTA_EXCEEDED", QUOTA);
    provider.realize(fleet(2));

    FleetObservation o = provider.observe(FLEET);
    assertThat(o.instances()).as("no VM exists: nothing boots, nothing can miss a startup deadline").isEmpty();
    assertThat(o.problems()).hasSize(2).allSatisfy(p -> {
      assertThat(p.code()).isEqualTo("QUOTA_EXCEEDED");
      assertThat(p.message()).isEqualTo(QUOTA);
    });
    assertThat(o.problems()).extracting(CreationProblem::instance).doesNotHaveDuplicates();

    fake.allowCreations(); // the quota raised: GCE creates them, nobody had to act
    await().atMost(WAIT).untilAsserted(() -> {
      FleetObservation now = provider.observe(FLEET);
      assertThat(now.problems()).isEmpty();
      assertThat(now.instances()).hasSize(2).allMatch(i -> i.state() == InstanceState.RUNNING);
    });
  }

  @Test
  void anImportGceFailsStallsInItsWordsAndIsRetriedFromScratchOnceTheSourceIsFixed() {
    RevisionImage image = GceTesting.image("web-r1", "v1");
    String source = GceResources.httpsUrl(image.artifact());
    fake.badImageSources.add(source);

    assertThatThrownBy(() -> provider.realize(fleet(1))).isInstanceOfSatisfying(ProviderException.class, e -> {
      assertThat(e.reason()).isEqualTo(Reason.IMAGE_IMPORT_FAILED);
      assertThat(e.retryable()).isFalse();
      assertThat(e.getMessage()).contains("INVALID_FIELD_VALUE")
          .contains("not a gzipped tar archive holding a file named disk.raw").contains(image.artifact());
    });
    assertThat(fake.imageNames()).as("GCE keeps the FAILED image").hasSize(1);
    assertThat(fake.calls()).as("a refused import is not retried").containsEntry("images.insert", 1L);

    fake.badImageSources.clear(); // the user uploads a proper tarball to the same URL
    await().atMost(WAIT).untilAsserted(() ->
        assertThat(provider.realize(fleet(1)).instances()).hasSize(1));
    // the second insert finds the FAILED image, which is deleted, and the third imports it again
    assertThat(fake.calls()).containsEntry("images.delete", 1L).containsEntry("images.insert", 3L);
  }

  @Test
  void anImportStillRunningIsWaitedForNotDuplicated() throws Exception {
    fake.importMillis = 4000;
    CompletableFuture<FleetObservation> first = CompletableFuture.supplyAsync(() -> provider.realize(fleet(1)));
    await().atMost(WAIT).until(() -> !fake.imageNames().isEmpty());
    // an operator restarted meanwhile finds the image PENDING
    GceProvider restarted = GceTesting.provider(fake);
    try {
      assertThatThrownBy(() -> restarted.realize(fleet(1))).isInstanceOfSatisfying(ProviderException.class, e -> {
        assertThat(e.reason()).isEqualTo(Reason.IMAGE_IMPORTING);
        assertThat(e.retryable()).isTrue();
      });
    } finally {
      restarted.close();
    }
    assertThat(first.get().instances()).hasSize(1);
    assertThat(fake.calls()).containsEntry("images.insert", 2L).doesNotContainKey("images.delete");
  }

  /** spec.image.sha256 holds on GCE: an object whose digest differs is never imported, and its digest is not told. */
  @Test
  void anArtifactWhoseDigestDiffersIsNotImported() {
    RevisionImage image = GceTesting.image("web-r1", "v1");
    String actual = "f".repeat(64);
    fake.objects.put(image.artifact(), new FakeCompute.StoredObject("other bytes".getBytes(), actual));

    assertThatThrownBy(() -> provider.realize(fleet(1))).isInstanceOfSatisfying(ProviderException.class, e -> {
      assertThat(e.reason()).isEqualTo(Reason.ARTIFACT_DIGEST_MISMATCH);
      assertThat(e.retryable()).isFalse();
      assertThat(e.getMessage()).contains(image.artifact()).contains(image.sha256()).doesNotContain(actual);
    });
    assertThat(fake.imageNames()).isEmpty();
    assertThat(fake.calls()).doesNotContainKey("images.insert");
  }

  /** An object without digest metadata is read once and hashed. */
  @Test
  void anArtifactWithoutDigestMetadataIsHashed() throws Exception {
    byte[] bytes = "a tarball holding disk.raw".getBytes();
    String sha = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
    RevisionImage good = new RevisionImage("web-r1", "virtio", "gs://elsewhere/web.tar.gz", sha,
        java.util.List.of(), 8080, GceTesting.image("web-r1", "v1").settings());
    fake.objects.put(good.artifact(), new FakeCompute.StoredObject(bytes, null));
    provider.realize(DesiredFleet.single(FLEET, good, 1));
    assertThat(fake.imageNames()).hasSize(1);
    assertThat(fake.storageReads()).as("metadata, then the media").isEqualTo(2);

    RevisionImage missing = new RevisionImage("web-r2", "virtio", "gs://elsewhere/none.tar.gz", sha,
        java.util.List.of(), 8080, good.settings());
    assertThatThrownBy(() -> provider.realize(DesiredFleet.single(FLEET, missing, 1)))
        .isInstanceOfSatisfying(ProviderException.class, e -> {
          assertThat(e.reason()).isEqualTo(Reason.ARTIFACT_DIGEST_MISMATCH);
          assertThat(e.getMessage()).contains("No such object");
        });
  }
}
