package io.dustcloud.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.dustcloud.api.v1alpha1.InvalidField;
import io.dustcloud.api.v1alpha1.ReadProblems;
import io.dustcloud.api.v1alpha1.Unikernel;
import io.dustcloud.api.v1alpha1.UnikernelSpec;
import io.dustcloud.core.Reason;
import io.dustcloud.provider.FleetId;
import io.dustcloud.provider.ProviderException;
import io.dustcloud.testing.ForwardingFleetProvider;
import io.dustcloud.testing.TestingFleetProvider;
import io.dustcloud.testing.Unikernels;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Deleting a Unikernel: its fleet deleted or released, its revisions gone, a failure retried. */
class FleetDeletionTest {
  @TempDir Path dir;
  final TestingFleetProvider local = new TestingFleetProvider("local");

  @AfterEach
  void close() {
    local.close();
  }

  PipelineHarness settled(Unikernel uk, io.dustcloud.provider.FleetProvider provider) {
    PipelineHarness h = new PipelineHarness(uk, provider);
    h.settle(5);
    assertThat(h.revisions.byName).hasSize(1);
    return h;
  }

  Unikernel web() throws Exception {
    return Unikernels.local("default", "web", Files.writeString(dir.resolve("web.bin"), "#!/bin/sh\n"), 2);
  }

  @Test
  void deleteRemovesTheInstancesAndTheRevisions() throws Exception {
    var h = settled(web(), local);
    FleetDeletion deletion = new FleetDeletion(h.providers, h.revisions, h.events);

    assertThat(deletion.delete(h.uk, h.revisions.list())).isTrue();

    assertThat(local.calls).contains("delete default/web");
    assertThat(local.observe(new FleetId("default", "web")).instances()).isEmpty();
    assertThat(h.revisions.byName).isEmpty();
    assertThat(h.events.normals).contains("FleetDeleted: all instances deleted");
  }

  @Test
  void deleteCancelsTheBuildsOfTheFleetsRevisions() throws Exception {
    var h = new PipelineHarness(web(), local);
    h.resolve = rev -> new io.dustcloud.build.ArtifactResolution.Pending(Reason.BUILDING, "make is running");
    h.settle(3);
    String revision = h.revisions.list().get(0).getMetadata().getName();
    h.cancel = rev -> "cancelled the local build k-" + rev.getMetadata().getName();

    assertThat(new FleetDeletion(h.providers, h.revisions, h.events).delete(h.uk, h.revisions.list())).isTrue();

    assertThat(h.cancelled).containsExactly(revision);
    assertThat(h.events.normals)
        .contains("BuildCancelled: cancelled the local build k-" + revision + " (revision " + revision + ")");
  }

  @Test
  void orphanReleasesTheInstances() throws Exception {
    var h = settled(web(), local);
    h.uk.getSpec().deletionPolicy = UnikernelSpec.DeletionPolicy.Orphan;

    assertThat(new FleetDeletion(h.providers, h.revisions, h.events).delete(h.uk, h.revisions.list())).isTrue();

    assertThat(local.calls).contains("release default/web").doesNotContain("delete default/web");
    assertThat(h.events.normals).contains("FleetOrphaned: deletionPolicy Orphan: instances left running");
  }

  /** A spec with a value of the wrong type: its readable fields still name the provider and policy. */
  @Test
  void anUnreadableSpecIsDeletedByWhatCanBeReadOfIt() throws Exception {
    var h = settled(web(), local);
    UnikernelSpec readable = h.uk.getSpec();
    readable.deletionPolicy = UnikernelSpec.DeletionPolicy.Orphan;
    h.uk.setSpec(null);
    h.uk.readProblems(new ReadProblems<>(new InvalidField("spec.port", "\"abc\"", "an integer"), readable, null));

    assertThat(new FleetDeletion(h.providers, h.revisions, h.events).delete(h.uk, h.revisions.byName.values()))
        .isTrue();

    assertThat(local.calls).contains("release default/web").doesNotContain("delete default/web");
    assertThat(h.revisions.byName).isEmpty();
  }

  /** Not even the provider can be read: the revisions name it; the policy is the schema's default. */
  @Test
  void anUnreadableProviderIsTakenFromTheNewestRevision() throws Exception {
    var h = settled(web(), local);
    h.uk.setSpec(null);
    h.uk.readProblems(new ReadProblems<>(new InvalidField("spec", "\"x\"", "an object"), null, null));

    assertThat(new FleetDeletion(h.providers, h.revisions, h.events).delete(h.uk,
        java.util.List.copyOf(h.revisions.byName.values()))).isTrue();

    assertThat(local.calls).contains("delete default/web");
    assertThat(local.observe(new FleetId("default", "web")).instances()).isEmpty();
    assertThat(h.revisions.byName).isEmpty();
  }

  @Test
  void aProviderFailureKeepsTheFinalizerAndTheRevisions() throws Exception {
    var failing = new ForwardingFleetProvider(local) {
      @Override
      public void delete(FleetId fleet) {
        throw new ProviderException(Reason.STATE_WRITE_FAILED, "disk full", true);
      }
    };
    var h = settled(web(), failing);

    assertThat(new FleetDeletion(h.providers, h.revisions, h.events).delete(h.uk, h.revisions.list())).isFalse();

    assertThat(h.revisions.byName).hasSize(1);
    assertThat(h.events.warnings).contains("ProviderError: deleting the fleet failed: disk full");
  }
}
