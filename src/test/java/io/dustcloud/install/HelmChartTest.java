package io.dustcloud.install;

import static io.dustcloud.install.Charts.documents;
import static io.dustcloud.install.Charts.find;
import static io.dustcloud.install.Charts.grants;
import static io.dustcloud.install.Charts.ofKind;
import static io.dustcloud.install.Charts.one;
import static io.dustcloud.install.Charts.render;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The Helm chart rendered and linted offline with helm-java, for defaults and main combinations. */
class HelmChartTest {
  static final String WATCH_TWO = "watchNamespaces: [team-a, team-b]\n";
  static final String GCE_SECRET =
      "gce: {enabled: true, callsPerMinute: 600, credentials: {secret: {name: gce-key, key: key.json}}}\n";
  static final String GCE_WORKLOAD_IDENTITY =
      "gce: {enabled: true, endpoint: 'https://compute.example:443', credentials: "
          + "{workloadIdentityServiceAccount: dustcloud@my-project.iam.gserviceaccount.com}}\n";

  @ParameterizedTest
  @ValueSource(strings = {"", WATCH_TWO, "serviceMonitor: {enabled: true}\n", GCE_SECRET, GCE_WORKLOAD_IDENTITY,
      "logging: {format: text, level: DEBUG}\n", "leaderElection: {enabled: false}\nreplicaCount: 1\n"})
  void rendersEveryCombination(String values) {
    List<JsonNode> docs = documents(render(values));
    assertThat(docs).isNotEmpty().allSatisfy(d -> {
      assertThat(d.path("metadata").path("name").asText()).isNotBlank();
      assertThat(d.path("metadata").path("labels").path("app.kubernetes.io/name").asText()).isEqualTo("dustcloud");
    });
    Deployment deployment = one(docs, "Deployment", Deployment.class);
    assertThat(deployment.getSpec().getTemplate().getSpec().getServiceAccountName())
        .isEqualTo(one(docs, "ServiceAccount", ServiceAccount.class).getMetadata().getName());
  }

  @Test
  void chartPassesStrictLint() {
    LintResult lint = new Helm(Charts.CHART).lint().strict().call();
    assertThat(lint.isFailed()).as("%s", lint.getMessages()).isFalse();
    assertThat(lint.getMessages()).noneMatch(m -> m.contains("[WARNING]") || m.contains("[ERROR]"));
  }

  @Test
  void defaultsRenderTheOperatorObjects() {
    List<JsonNode> docs = documents(render(""));
    assertThat(docs.stream().map(d -> d.get("kind").asText() + "/" + d.get("metadata").get("name").asText()))
        .containsExactlyInAnyOrder(
            "ServiceAccount/dustcloud", "ClusterRole/dustcloud", "ClusterRoleBinding/dustcloud",
            "Role/dustcloud-leader-election", "RoleBinding/dustcloud-leader-election",
            "Service/dustcloud-metrics", "Deployment/dustcloud", "PodDisruptionBudget/dustcloud");
    assertThat(docs).filteredOn(d -> d.get("metadata").has("namespace"))
        .allSatisfy(d -> assertThat(d.get("metadata").get("namespace").asText()).isEqualTo(Charts.NAMESPACE));
    PodDisruptionBudget pdb = one(docs, "PodDisruptionBudget", PodDisruptionBudget.class);
    assertThat(pdb.getSpec().getMinAvailable().getIntVal()).isEqualTo(1);
    Deployment d = one(docs, "Deployment", Deployment.class);
    assertThat(pdb.getSpec().getSelector().getMatchLabels()).isEqualTo(d.getSpec().getSelector().getMatchLabels());
    JsonNode service = find(docs, "Service", "dustcloud-metrics").orElseThrow();
    assertThat(service.at("/spec/ports/0/port").asInt()).isEqualTo(8081);
    assertThat(service.at("/spec/ports/0/targetPort").asText()).isEqualTo("http-metrics");
  }

  @Test
  void deploymentRunsTwoRestrictedReplicasWithProbesAndResources() {
    Deployment d = one(documents(render("")), "Deployment", Deployment.class);
    assertThat(d.getSpec().getReplicas()).isEqualTo(2);
    PodSpec pod = d.getSpec().getTemplate().getSpec();
    assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(pod.getSecurityContext().getRunAsUser()).isPositive();
    assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    Container c = pod.getContainers().get(0);
    assertThat(pod.getContainers()).hasSize(1);
    var sc = c.getSecurityContext();
    assertThat(sc.getRunAsNonRoot()).isTrue();
    assertThat(sc.getReadOnlyRootFilesystem()).isTrue();
    assertThat(sc.getAllowPrivilegeEscalation()).isFalse();
    assertThat(sc.getPrivileged()).isFalse();
    assertThat(sc.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    assertThat(sc.getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(sc.getCapabilities().getAdd()).isNullOrEmpty();
    assertThat(c.getResources().getRequests()).containsKeys("cpu", "memory");
    assertThat(c.getResources().getLimits()).containsKeys("cpu", "memory");
    assertThat(c.getArgs()).containsExactly("run");
    assertThat(c.getPorts()).singleElement().satisfies(p -> assertThat(p.getContainerPort()).isEqualTo(8081));
    assertThat(c.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
    assertThat(c.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
    assertThat(c.getLivenessProbe().getHttpGet().getPort().getStrVal()).isEqualTo("http-metrics");

    Map<String, EnvVar> env = env(c);
    assertThat(env.get("POD_NAME").getValueFrom().getFieldRef().getFieldPath()).isEqualTo("metadata.name");
    assertThat(env.get("POD_NAMESPACE").getValueFrom().getFieldRef().getFieldPath()).isEqualTo("metadata.namespace");
    assertThat(env.get("DUSTCLOUD_LEADER_ELECTION").getValue()).isEqualTo("true");
    assertThat(env.get("DUSTCLOUD_WATCH_NAMESPACES").getValue()).isEmpty();
    assertThat(env.get("DUSTCLOUD_HTTP_PORT").getValue()).isEqualTo("8081");
    assertThat(env.get("DUSTCLOUD_LOG_FORMAT").getValue()).isEqualTo("json");
    assertThat(env.get("DUSTCLOUD_GCE_ENABLED").getValue()).isEqualTo("false");
    assertThat(env).doesNotContainKeys("GOOGLE_APPLICATION_CREDENTIALS", "DUSTCLOUD_GCE_ENDPOINT",
        "DUSTCLOUD_GCE_CALLS_PER_MINUTE");

    // the root filesystem is read-only: /tmp and the state dir are emptyDirs
    Map<String, String> mounts = c.getVolumeMounts().stream()
        .collect(Collectors.toMap(m -> m.getMountPath(), m -> m.getName()));
    assertThat(mounts).containsOnlyKeys("/tmp", env.get("DUSTCLOUD_STATE_DIR").getValue());
    assertThat(pod.getVolumes()).allSatisfy(v -> assertThat(v.getEmptyDir()).isNotNull());
  }

  @Test
  void rbacGrantsExactlyTheDocumentedRulesClusterWide() {
    List<JsonNode> docs = documents(render(""));
    ClusterRole role = one(docs, "ClusterRole", ClusterRole.class);
    assertNoWildcards(role.getRules());
    assertThat(grants(role.getRules())).isEqualTo(RbacTable.grants("watched"));
    Role lease = one(docs, "Role", Role.class);
    assertNoWildcards(lease.getRules());
    assertThat(grants(lease.getRules())).isEqualTo(RbacTable.grants("release"));
    assertThat(lease.getMetadata().getNamespace()).isEqualTo(Charts.NAMESPACE);

    ClusterRoleBinding binding = one(docs, "ClusterRoleBinding", ClusterRoleBinding.class);
    assertThat(binding.getRoleRef().getName()).isEqualTo(role.getMetadata().getName());
    assertThat(binding.getSubjects()).singleElement().satisfies(s -> {
      assertThat(s.getKind()).isEqualTo("ServiceAccount");
      assertThat(s.getName()).isEqualTo("dustcloud");
      assertThat(s.getNamespace()).isEqualTo(Charts.NAMESPACE);
    });
    RoleBinding leaseBinding = one(docs, "RoleBinding", RoleBinding.class);
    assertThat(leaseBinding.getRoleRef().getName()).isEqualTo(lease.getMetadata().getName());
  }

  @Test
  void watchedNamespacesGetRolesAndNothingClusterWide() {
    List<JsonNode> docs = documents(render(WATCH_TWO));
    assertThat(ofKind(docs, "ClusterRole")).isEmpty();
    assertThat(ofKind(docs, "ClusterRoleBinding")).isEmpty();
    List<Role> roles = ofKind(docs, "Role").stream().map(r -> Charts.typed(r, Role.class)).toList();
    assertThat(roles).extracting(r -> r.getMetadata().getNamespace() + "/" + r.getMetadata().getName())
        .containsExactlyInAnyOrder("team-a/dustcloud", "team-b/dustcloud", Charts.NAMESPACE + "/dustcloud-leader-election");
    for (Role r : roles) {
      assertNoWildcards(r.getRules());
      String where = r.getMetadata().getName().endsWith("leader-election") ? "release" : "watched";
      assertThat(grants(r.getRules())).isEqualTo(RbacTable.grants(where));
    }
    List<RoleBinding> bindings = ofKind(docs, "RoleBinding").stream().map(r -> Charts.typed(r, RoleBinding.class)).toList();
    assertThat(bindings).extracting(b -> b.getMetadata().getNamespace())
        .containsExactlyInAnyOrder("team-a", "team-b", Charts.NAMESPACE);
    assertThat(bindings).allSatisfy(b -> assertThat(b.getSubjects()).singleElement()
        .satisfies(s -> assertThat(s.getNamespace()).isEqualTo(Charts.NAMESPACE)));
    Deployment d = one(docs, "Deployment", Deployment.class);
    assertThat(env(d.getSpec().getTemplate().getSpec().getContainers().get(0)).get("DUSTCLOUD_WATCH_NAMESPACES").getValue())
        .isEqualTo("team-a,team-b");
  }

  @Test
  void leaderElectionOffDropsTheLeaseRoleAndNeedsOneReplica() {
    List<JsonNode> docs = documents(render("leaderElection: {enabled: false}\nreplicaCount: 1\n"));
    assertThat(ofKind(docs, "Role")).isEmpty();
    assertThatThrownBy(() -> render("leaderElection: {enabled: false}\n"))
        .hasMessageContaining("needs leaderElection.enabled");
  }

  @Test
  void serviceMonitorIsOptional() {
    assertThat(ofKind(documents(render("")), "ServiceMonitor")).isEmpty();
    List<JsonNode> docs = documents(render("serviceMonitor: {enabled: true, labels: {release: prom}}\n"));
    JsonNode sm = ofKind(docs, "ServiceMonitor").get(0);
    assertThat(sm.at("/metadata/labels/release").asText()).isEqualTo("prom");
    assertThat(sm.at("/spec/endpoints/0/port").asText()).isEqualTo("http-metrics");
    assertThat(sm.at("/spec/endpoints/0/path").asText()).isEqualTo("/metrics");
    JsonNode service = find(docs, "Service", "dustcloud-metrics").orElseThrow();
    sm.at("/spec/selector/matchLabels").fields().forEachRemaining(e ->
        assertThat(service.at("/metadata/labels/" + e.getKey().replace("/", "~1")).asText()).isEqualTo(e.getValue().asText()));
  }

  @Test
  void gceCredentialsFromASecretAreMountedReadOnly() {
    List<JsonNode> docs = documents(render(GCE_SECRET));
    Container c = container(docs);
    Map<String, EnvVar> env = env(c);
    assertThat(env.get("DUSTCLOUD_GCE_ENABLED").getValue()).isEqualTo("true");
    assertThat(env.get("DUSTCLOUD_GCE_CALLS_PER_MINUTE").getValue()).isEqualTo("600");
    String path = env.get("GOOGLE_APPLICATION_CREDENTIALS").getValue();
    assertThat(path).endsWith("/key.json");
    var mount = c.getVolumeMounts().stream().filter(m -> path.startsWith(m.getMountPath() + "/")).findFirst().orElseThrow();
    assertThat(mount.getReadOnly()).isTrue();
    Volume v = one(docs, "Deployment", Deployment.class).getSpec().getTemplate().getSpec().getVolumes().stream()
        .filter(x -> x.getName().equals(mount.getName())).findFirst().orElseThrow();
    assertThat(v.getSecret().getSecretName()).isEqualTo("gce-key");
    assertThat(one(docs, "ServiceAccount", ServiceAccount.class).getMetadata().getAnnotations()).isNullOrEmpty();
  }

  @Test
  void gceWorkloadIdentityAnnotatesTheServiceAccountAndMountsNothing() {
    List<JsonNode> docs = documents(render(GCE_WORKLOAD_IDENTITY));
    assertThat(one(docs, "ServiceAccount", ServiceAccount.class).getMetadata().getAnnotations())
        .containsEntry("iam.gke.io/gcp-service-account", "dustcloud@my-project.iam.gserviceaccount.com");
    Container c = container(docs);
    assertThat(env(c)).doesNotContainKey("GOOGLE_APPLICATION_CREDENTIALS");
    assertThat(env(c).get("DUSTCLOUD_GCE_ENDPOINT").getValue()).isEqualTo("https://compute.example:443");
    assertThat(c.getVolumeMounts()).extracting(m -> m.getMountPath()).doesNotContain("/var/run/secrets/dustcloud/gce");
    assertThatThrownBy(() -> render("gce: {credentials: {workloadIdentityServiceAccount: a@b.iam.gserviceaccount.com,"
        + " secret: {name: gce-key}}}\n")).hasMessageContaining("not both");
  }

  @Test
  void logFormatComesFromValues() {
    assertThat(env(container(documents(render("logging: {format: text, level: DEBUG}\n")))))
        .satisfies(env -> {
          assertThat(env.get("DUSTCLOUD_LOG_FORMAT").getValue()).isEqualTo("text");
          assertThat(env.get("DUSTCLOUD_LOG_LEVEL").getValue()).isEqualTo("DEBUG");
        });
    assertThatThrownBy(() -> render("logging: {format: xml}\n")).hasMessageContaining("logging/format");
  }

  @Test
  void crdsAreIdenticalToTheGeneratedOnes() throws IOException {
    Path chartCrds = Charts.CHART.resolve("crds");
    List<String> generated = names(Path.of("crds"));
    assertThat(names(chartCrds)).isEqualTo(generated).isNotEmpty();
    for (String name : generated) {
      assertThat(Files.readString(chartCrds.resolve(name)))
          .as("helm/dustcloud/crds/%s differs from crds/%s: cp crds/*.yml helm/dustcloud/crds/", name, name)
          .isEqualTo(Files.readString(Path.of("crds", name)));
    }
    // and Helm sees them as the chart's CRDs
    String shown = new Helm(Charts.CHART).show().crds().call();
    assertThat(shown).contains("name: \"unikernels.dustcloud.io\"", "name: \"unikernelrevisions.dustcloud.io\"");
  }

  @Test
  void everyValueIsDescribedAndTypedInTheSchema() throws IOException {
    ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
    JsonNode values = yaml.readTree(Charts.CHART.resolve("values.yaml").toFile());
    JsonNode schema = new ObjectMapper().readTree(Charts.CHART.resolve("values.schema.json").toFile());
    List<String> missing = new ArrayList<>();
    checkDescribed("", values, schema, missing);
    assertThat(missing).as("values without a described, typed schema entry").isEmpty();
    assertThatThrownBy(() -> render("replicaCount: two\n")).hasMessageContaining("replicaCount");
    assertThatThrownBy(() -> render("unknownValue: 1\n")).hasMessageContaining("unknownValue");
  }

  private static void checkDescribed(String path, JsonNode value, JsonNode schema, List<String> missing) {
    for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String p = path + "." + e.getKey();
      JsonNode s = schema.path("properties").path(e.getKey());
      if (s.isMissingNode() || !s.hasNonNull("description") || !s.hasNonNull("type")) {
        missing.add(p);
        continue;
      }
      if (e.getValue().isObject() && s.has("properties")) {
        checkDescribed(p, e.getValue(), s, missing);
      }
    }
  }

  static Container container(List<JsonNode> docs) {
    return one(docs, "Deployment", Deployment.class).getSpec().getTemplate().getSpec().getContainers().get(0);
  }

  static Map<String, EnvVar> env(Container c) {
    return c.getEnv().stream().collect(Collectors.toMap(EnvVar::getName, Function.identity()));
  }

  static void assertNoWildcards(List<PolicyRule> rules) {
    assertThat(rules).allSatisfy(r -> {
      assertThat(r.getVerbs()).doesNotContain("*");
      assertThat(r.getResources()).noneMatch(x -> x.contains("*"));
      assertThat(r.getApiGroups()).doesNotContain("*");
      assertThat(r.getNonResourceURLs()).isNullOrEmpty();
    });
  }

  private static List<String> names(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".yml") || n.endsWith(".yaml")).sorted().toList();
    }
  }
}
