package io.dustcloud.reliability;

import com.sun.net.httpserver.HttpServer;
import io.dustcloud.api.v1alpha1.Unikernel;
import io.dustcloud.api.v1alpha1.UnikernelRevision;
import io.dustcloud.provider.FleetId;
import io.dustcloud.provider.gce.GceNames;
import io.dustcloud.testing.Unikernels;
import io.dustcloud.testing.gce.FakeCompute;
import io.dustcloud.testing.gce.GceTesting;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The GCE provider in the operator JVM, on the Compute fake in the test JVM, whose instances
 * answer on their own loopback addresses.
 */
public final class GceCrashBackend implements CrashHarness.Backend {
  public final FakeCompute fake = GceTesting.fake();
  @Override
  public Map<String, String> env() {
    return Map.of(
        "DUSTCLOUD_GCE_ENABLED", "true",
        "DUSTCLOUD_GCE_ENDPOINT", fake.endpoint(),
        "DUSTCLOUD_GCE_NO_CREDENTIALS", "true",
        "DUSTCLOUD_GCS_ENDPOINT", fake.endpoint(),
        "DUSTCLOUD_GCE_CALLS_PER_MINUTE", "6000",
        "DUSTCLOUD_GCE_OBSERVE_SECONDS", "1");
  }

  @Override
  public Unikernel fleet(String name, int replicas, String version) {
    Unikernel uk = Unikernels.gce(CrashHarness.NS, name, GceTesting.PROJECT, GceTesting.ZONE, replicas);
    uk.getSpec().bootArgs = List.of("--version=" + version);
    return uk;
  }

  private String group(String name) {
    return GceTesting.GROUP_SCOPE + "/" + GceNames.group(new FleetId(CrashHarness.NS, name));
  }

  @Override
  public int instances(String name) {
    return fake.groupKeys().contains(group(name)) ? fake.instanceTemplates(group(name)).size() : 0;
  }

  private List<String> ours(List<String> names, String name) {
    String prefix = GceNames.group(new FleetId(CrashHarness.NS, name)).replaceAll("-[0-9a-f]{10}$", "");
    return names.stream().filter(n -> n.startsWith(prefix)).toList();
  }

  /** One group; exactly one template and one image per revision the API server knows; no stray instance. */
  @Override
  public List<String> duplicates(String name, int replicas, KubernetesClient client) {
    List<String> problems = new ArrayList<>();
    List<String> groups = ours(fake.groupKeys().stream().map(k -> k.substring(k.lastIndexOf('/') + 1)).toList(), name);
    if (groups.size() != 1) {
      problems.add("groups " + groups);
    }
    List<String> expected = client.resources(UnikernelRevision.class).inNamespace(CrashHarness.NS)
        .withLabel("dustcloud.io/unikernel", name).list().getItems().stream()
        .map(r -> GceNames.template(new FleetId(CrashHarness.NS, name), r.getMetadata().getName())).sorted().toList();
    List<String> templates = ours(fake.templateNames(), name).stream().sorted().toList();
    List<String> images = ours(fake.imageNames(), name).stream().sorted().toList();
    if (!expected.containsAll(templates) || templates.size() != templates.stream().distinct().count()) {
      problems.add("templates " + templates + " for revisions " + expected);
    }
    if (!expected.containsAll(images) || images.size() != images.stream().distinct().count()) {
      problems.add("images " + images + " for revisions " + expected);
    }
    int size = instances(name);
    if (size > replicas) {
      problems.add(size + " instances for " + replicas + " replicas");
    }
    return problems;
  }

  @Override
  public List<String> leftovers(String name) {
    List<String> left = new ArrayList<>();
    ours(fake.groupKeys().stream().map(k -> k.substring(k.lastIndexOf('/') + 1)).toList(), name)
        .forEach(g -> left.add("group " + g));
    ours(fake.templateNames(), name).forEach(t -> left.add("template " + t));
    ours(fake.imageNames(), name).forEach(i -> left.add("image " + i));
    // the traffic path's resources carry the fleet's name hash too: none may outlive the fleet
    ours(List.copyOf(fake.healthChecks().keySet()), name).forEach(r -> left.add("health check " + r));
    ours(List.copyOf(fake.backendServices().keySet()), name).forEach(r -> left.add("backend service " + r));
    ours(List.copyOf(fake.forwardingRules().keySet()), name).forEach(r -> left.add("forwarding rule " + r));
    ours(List.copyOf(fake.addresses().keySet()), name).forEach(r -> left.add("address " + r));
    ours(List.copyOf(fake.firewalls().keySet()), name).forEach(r -> left.add("firewall " + r));
    return left;
  }

  @Override
  public void close() {
    fake.close();
  }
}
