package io.dustcloud.reliability;

import io.dustcloud.testing.EndToEnd;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.dustcloud.api.CrdFiles;
import io.dustcloud.api.v1alpha1.Unikernel;
import io.dustcloud.api.v1alpha1.UnikernelRevision;
import io.dustcloud.dev.DevApiServer;
import io.dustcloud.wiring.DustcloudOperator;
import io.dustcloud.operator.OperatorConfig;
import io.dustcloud.binding.Bindings;
import io.dustcloud.provider.FleetId;
import io.dustcloud.provider.InstanceView;
import io.dustcloud.testing.TestingFleetProvider;
import io.dustcloud.testing.Unikernels;
import io.dustcloud.testing.gce.FakeCompute;
import io.dustcloud.testing.gce.GceTesting;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile input through the dev API server (schema, CEL and metadata admission) to a running
 * operator with bystander fleets: names that break Kubernetes or cloud naming rules, injection
 * attempts in GCE labels, and the whole bad-input corpus. Refused input is refused with 422;
 * accepted hostile input is made safe; the bystanders do not change at all.
 */
@EndToEnd
class HostileInputTest {
  static final String NS = "default";
  static final Path CORPUS = Path.of("src/test/resources/bad-input");
  static final String GCE_LABEL = "^[a-z][a-z0-9_-]{0,62}$";
  @TempDir Path dir;
  DevApiServer api;
  KubernetesClient client;
  TestingFleetProvider local;
  FakeCompute fake;
  HttpServer health;
  DustcloudOperator operator;
  Path artifact;

  @BeforeEach
  void start() throws Exception {
    api = DevApiServer.start("127.0.0.1", 0);
    api.installCrds(CrdFiles.load());
    client = api.client();
    local = new TestingFleetProvider("local");
    fake = GceTesting.fake();
    health = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    health.createContext("/", ex -> {
      ex.sendResponseHeaders(ex.getRequestURI().getPath().equals("/health") ? 200 : 503, -1);
      ex.close();
    });
    health.start();
    operator = new DustcloudOperator(client, OperatorConfig.dev(dir.resolve("state"), 0).trusting(java.util.List.of(dir)),
        Bindings.of(local, GceTesting.provider(fake, 60_000, Duration.ofSeconds(1), Clock.systemUTC())),
        Clock.systemUTC()).start();
    artifact = Files.writeString(dir.resolve("hello.bin"), "#!/bin/sh\necho hello\n");
  }

  @AfterEach
  void stop() {
    operator.close();
    api.close();
    health.stop(0);
    fake.close();
  }

  @Test
  void hostileInputIsRefusedOrMadeSafeAndNothingElseChanges() throws Exception {
    client.resource(Unikernels.local(NS, "bystander-a", artifact, 2)).create();
    client.resource(Unikernels.gce(NS, "bystander-b", GceTesting.PROJECT, GceTesting.ZONE, 2)).create();
    awaitReady("bystander-a", 2);
    awaitReady("bystander-b", 2);
    // the bystanders settle first (revision status records what served, boot medians, …)
    Map<String, Object>[] settled = new Map[] {snapshot()};
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(3)).until(() -> {
      Map<String, Object> now = snapshot();
      boolean same = now.equals(settled[0]);
      settled[0] = now;
      return same;
    });
    Map<String, Object> before = settled[0];

    // Kubernetes naming: refused by the API server itself
    assertRefused(Unikernels.local(NS, "Upper-Case", artifact, 1), "metadata.name");
    assertRefused(Unikernels.local(NS, "a".repeat(254), artifact, 1), "metadata.name");
    assertRefused(Unikernels.local(NS, "under_score", artifact, 1), "metadata.name");

    // a valid Kubernetes name that breaks every GCE naming rule, with hostile labels
    String longName = "svc.team-" + "x".repeat(180) + ".prod";
    Unikernel hostile = Unikernels.gce(NS, longName, GceTesting.PROJECT, GceTesting.ZONE, 1);
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put("Team; rm -rf /", "x\" OR labels.managed-by = \"dustcloud");
    labels.put("managed-by", "someone-else");
    labels.put("9starts-with-digit", "UPPER.case/slash");
    labels.put("k".repeat(100), "v".repeat(100_000));
    hostile.getSpec().provider.gce.labels = labels;
    client.resource(hostile).create();
    awaitReady(longName, 1);
    UnikernelRevision rev = client.resources(UnikernelRevision.class).inNamespace(NS)
        .withName(client.resources(Unikernel.class).inNamespace(NS).withName(longName).get().getStatus().currentRevision)
        .get();
    assertThat(rev.getMetadata().getName()).hasSizeLessThanOrEqualTo(63);
    assertThat(rev.getMetadata().getLabels().values()).allSatisfy(v -> assertThat(v).hasSizeLessThanOrEqualTo(63));
    List<String> gceNames = Stream.of(fake.imageNames(), fake.templateNames(),
        fake.groupKeys().stream().map(k -> k.substring(k.lastIndexOf('/') + 1)).toList()).flatMap(List::stream).toList();
    assertThat(gceNames).allSatisfy(n -> assertThat(n).matches("[a-z]([-a-z0-9]{0,61}[a-z0-9])?"));
    for (String image : fake.imageNames()) {
      Map<String, String> onImage = fake.imageLabels(image);
      assertThat(onImage).containsEntry("managed-by", "dustcloud");
      assertThat(onImage.keySet()).allSatisfy(k -> assertThat(k).matches(GCE_LABEL));
      assertThat(onImage.values()).allSatisfy(v -> assertThat(v).matches("[a-z0-9_-]{0,63}"));
    }

    // the whole corpus: what the schema refuses is refused, the rest stalls on its own
    try (Stream<Path> files = Files.list(CORPUS)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
        String yaml = Files.readString(f);
        var generic = client.genericKubernetesResources("dustcloud.io/v1alpha1", "Unikernel").inNamespace(NS)
            .resource(Serialization.unmarshal(yaml, GenericKubernetesResource.class));
        if (yaml.contains("# expect-rejected: ")) {
          assertThatThrownBy(generic::create).as(f.toString())
              .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(422));
        } else {
          generic.create();
        }
      }
    }
    // give the operator time to act on all of them
    CrashHarness.sleepQuietly(5000);
    assertThat(snapshot()).as("bystanders after the hostile input").isEqualTo(before);
  }

  /** Everything observable about the bystanders. */
  private Map<String, Object> snapshot() {
    Map<String, Object> s = new LinkedHashMap<>();
    for (String name : List.of("bystander-a", "bystander-b")) {
      Unikernel uk = client.resources(Unikernel.class).inNamespace(NS).withName(name).get();
      s.put(name + " resourceVersion", uk.getMetadata().getResourceVersion());
      s.put(name + " revisions", client.resources(UnikernelRevision.class).inNamespace(NS)
          .withLabel("dustcloud.io/unikernel", name).list().getItems().stream()
          .map(r -> r.getMetadata().getName() + "@" + r.getMetadata().getResourceVersion()).sorted().toList());
    }
    s.put("bystander-a instances", local.observe(new FleetId(NS, "bystander-a")).instances().stream()
        .map(InstanceView::id).sorted().toList());
    String group = fake.groupKeys().stream().filter(k -> k.contains("bystander-b")).findFirst().orElseThrow();
    s.put("bystander-b group", fake.group(group).toString());
    return s;
  }

  private void assertRefused(Unikernel uk, String field) {
    assertThatThrownBy(() -> client.resource(uk).create())
        .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
          assertThat(e.getCode()).isEqualTo(422);
          assertThat(e.getMessage()).contains(field);
        });
  }

  private void awaitReady(String name, int replicas) {
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
      Unikernel uk = client.resources(Unikernel.class).inNamespace(NS).withName(name).get();
      assertThat(CrashHarness.check(uk, replicas, null, null, replicas)).as(name).isNull();
    });
  }
}
