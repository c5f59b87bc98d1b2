package io.dustcloud.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.dustcloud.api.CrdFiles;
import io.dustcloud.api.v1alpha1.Unikernel;
import io.dustcloud.api.v1alpha1.UnikernelRevision;
import io.dustcloud.dev.DevApiServer;
import io.dustcloud.testing.Unikernels;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link RevisionStore} against the dev API server, with another party's objects about: what a
 * 409 finds is handed back for the reconcile to judge (never taken as created), and deleting a
 * fleet's revisions deletes only those it controls, whatever labels others carry.
 */
class RevisionStoreTrustTest {
  static final String NS = "default";

  @Test
  void aSquatterFoundOnConflictIsReturnedAsFoundAndJudgedForeign() {
    try (DevApiServer api = DevApiServer.start("127.0.0.1", 0)) {
      api.installCrds(CrdFiles.load());
      KubernetesClient client = api.client();
      Unikernel uk = client.resource(Unikernels.local(NS, "web", Path.of("/bin/true"), 1, "--version=v2")).create();
      UnikernelRevision squatter = RevisionModel.desired(uk);
      squatter.getMetadata().setOwnerReferences(List.of());
      squatter.getSpec().bootArgs = List.of("--version=SQUAT");
      client.resource(squatter).create();

      var ensured = new RevisionStore(client).ensure(RevisionModel.desired(uk), List.of());

      assertThat(ensured.created()).isFalse();
      assertThat(ensured.revision().getSpec().bootArgs).containsExactly("--version=SQUAT");
      assertThat(RevisionTrust.problem(uk, ensured.revision()))
          .contains("it has no controlling ownerReference").contains("not to its spec.hash");
      assertThat(RevisionTrust.trusted(uk, RevisionModel.desired(uk))).isTrue();
    }
  }

  @Test
  void deletingAFleetsRevisionsLeavesALabelledBystanderAlone() {
    try (DevApiServer api = DevApiServer.start("127.0.0.1", 0)) {
      api.installCrds(CrdFiles.load());
      KubernetesClient client = api.client();
      Unikernel uk = client.resource(Unikernels.local(NS, "web", Path.of("/bin/true"), 1, "--version=v1")).create();
      UnikernelRevision own = client.resource(RevisionModel.desired(uk)).create();
      Unikernel other = Unikernels.local(NS, "web", Path.of("/bin/true"), 1, "--version=BYSTANDER");
      other.getMetadata().setUid("uid-of-someone-else");
      UnikernelRevision bystander = RevisionModel.desired(other);
      bystander.getMetadata().getOwnerReferences().get(0).setController(false);
      client.resource(bystander).create();
      assertThat(bystander.getMetadata().getLabels()).containsEntry(RevisionModel.LABEL_UNIKERNEL, "web");

      new RevisionStore(client).deleteAll(uk);

      assertThat(client.resources(UnikernelRevision.class).inNamespace(NS).list().getItems())
          .extracting(r -> r.getMetadata().getName())
          .containsExactly(bystander.getMetadata().getName())
          .doesNotContain(own.getMetadata().getName());
    }
  }
}
