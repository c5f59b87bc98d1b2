package io.dustcloud.testing.gce;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * One managed instance group of the fake and its instances. Instances follow the group's
 * {@code targetSize} and the split of its versions at once (creation and deletion are
 * immediate); each new or recreated instance goes PROVISIONING → STAGING → RUNNING on the
 * fake's clock. Like GCE under an OPPORTUNISTIC policy, changing versions alone moves no
 * running instance: only resizes and recreations pick a version, the one furthest below target.
 */
final class FakeGroup {
  final ObjectNode resource;
  final String zoneUrlPrefix;
  final List<Instance> instances = new ArrayList<>();
  /** The group's shape after every change of it, oldest first (see {@link FakeCompute#history}). */
  final List<FakeCompute.GroupChange> history = new ArrayList<>();
  private final LongSupplier millis;
  private final long provisioningMillis;
  private final long stagingMillis;
  private int serial;
  private final java.util.function.Predicate<String> crashes;

  static final class Instance {
    final String name;
    String template;
    long startedAt;
    boolean recreating;

    Instance(String name, String template, long startedAt) {
      this.name = name;
      this.template = template;
      this.startedAt = startedAt;
    }
  }

  FakeGroup(ObjectNode resource, String zoneUrlPrefix, LongSupplier millis, long provisioningMillis, long stagingMillis,
      java.util.function.Predicate<String> crashes) {
    this.crashes = crashes;
    this.resource = resource;
    this.zoneUrlPrefix = zoneUrlPrefix;
    this.millis = millis;
    this.provisioningMillis = provisioningMillis;
    this.stagingMillis = stagingMillis;
  }

  String name() {
    return resource.path("name").asText();
  }

  int targetSize() {
    return resource.path("targetSize").asInt();
  }

  /** Templates the versions name, with their target counts (the version without a size takes the rest). */
  Map<String, Integer> targets() {
    Map<String, Integer> targets = new LinkedHashMap<>();
    JsonNode versions = resource.path("versions");
    int fixed = 0;
    String rest = null;
    for (JsonNode v : versions) {
      String t = last(v.path("instanceTemplate").asText());
      if (v.has("targetSize")) {
        int n = v.path("targetSize").path("fixed").asInt();
        targets.put(t, n);
        fixed += n;
      } else {
        rest = t;
      }
    }
    if (rest != null) {
      targets.put(rest, Math.max(0, targetSize() - fixed));
    } else if (versions.isEmpty() && resource.hasNonNull("instanceTemplate")) {
      targets.put(last(resource.path("instanceTemplate").asText()), targetSize());
    }
    return targets;
  }

  /** Records the split (template → target count), targetSize and instance count as {@code method} left them. */
  void record(String method) {
    history.add(new FakeCompute.GroupChange(method, java.util.Collections.unmodifiableMap(targets()), targetSize(),
        instances.size()));
  }

  /** Adds or removes instances until the group holds targetSize, choosing versions by deficit. */
  void converge() {
    while (instances.size() > targetSize()) {
      Map<String, Integer> surplus = surplus(instances);
      instances.stream()
          .max(Comparator.comparingInt((Instance i) -> surplus.getOrDefault(i.template, Integer.MAX_VALUE))
              .thenComparingLong(i -> i.startedAt))
          .ifPresent(instances::remove);
    }
    while (instances.size() < targetSize()) {
      instances.add(new Instance(nextName(), mostWanted(instances), millis.getAsLong()));
    }
    touch();
  }

  /** Recreates the named instances (by URL or name) with the versions furthest below target. */
  void recreate(List<String> urls) {
    List<Instance> chosen = new ArrayList<>();
    for (String url : urls) {
      instances.stream().filter(i -> i.name.equals(last(url))).findFirst().ifPresent(chosen::add);
    }
    List<Instance> staying = new ArrayList<>(instances);
    staying.removeAll(chosen);
    for (Instance i : chosen) {
      i.template = mostWanted(staying);
      i.startedAt = millis.getAsLong();
      i.recreating = true;
      staying.add(i);
    }
    touch();
  }

  void deleteInstances(List<String> urls) {
    for (String url : urls) {
      instances.removeIf(i -> i.name.equals(last(url)));
    }
    resource.put("targetSize", instances.size());
    touch();
  }

  ArrayNode managedInstances(String project) {
    ArrayNode out = JsonNodeFactory.instance.arrayNode();
    long now = millis.getAsLong();
    for (Instance i : instances) {
      long age = now - i.startedAt;
      String status = age < provisioningMillis ? "PROVISIONING" : age < provisioningMillis + stagingMillis ? "STAGING"
          : crashes.test(i.template) ? "TERMINATED" : "RUNNING";
      String action = status.equals("RUNNING") || status.equals("TERMINATED") ? "NONE"
          : i.recreating ? "RECREATING" : "CREATING";
      ObjectNode m = out.addObject();
      m.put("instance", zoneUrlPrefix + "/instances/" + i.name);
      m.put("name", i.name);
      m.put("id", Integer.toUnsignedString(i.name.hashCode()));
      m.put("instanceStatus", status);
      m.put("currentAction", action);
      m.putObject("version").put("instanceTemplate",
          "https://www.googleapis.com/compute/v1/projects/" + project + "/global/instanceTemplates/" + i.template)
          .put("name", i.template);
    }
    return out;
  }

  /** The group as GET returns it, with its status computed now. */
  ObjectNode view(String project) {
    ObjectNode out = resource.deepCopy();
    ArrayNode managed = managedInstances(project);
    boolean stable = managed.size() == targetSize();
    int creating = 0;
    for (JsonNode m : managed) {
      stable &= m.path("currentAction").asText().equals("NONE");
      creating += m.path("currentAction").asText().equals("NONE") ? 0 : 1;
    }
    ObjectNode status = out.putObject("status");
    status.put("isStable", stable);
    status.putObject("versionTarget").put("isReached", stable);
    out.putObject("currentActions").put("creating", creating).put("none", managed.size() - creating);
    return out;
  }

  private Map<String, Integer> surplus(List<Instance> of) {
    Map<String, Integer> surplus = new LinkedHashMap<>();
    targets().forEach((t, n) -> surplus.put(t, -n));
    for (Instance i : of) {
      surplus.merge(i.template, 1, Integer::sum);
    }
    return surplus;
  }

  private String mostWanted(List<Instance> of) {
    Map<String, Integer> surplus = surplus(of);
    return targets().keySet().stream().min(Comparator.comparingInt(surplus::get))
        .orElseThrow(() -> new IllegalStateException("group " + name() + " has no version"));
  }

  private String nextName() {
    String base = resource.path("baseInstanceName").asText(name());
    String suffix = Integer.toString(Math.floorMod((name() + "#" + serial++).hashCode(), 36 * 36 * 36 * 36), 36);
    String candidate = base + "-" + "0".repeat(4 - suffix.length()) + suffix;
    boolean taken = instances.stream().anyMatch(i -> i.name.equals(candidate));
    return taken ? nextName() : candidate;
  }

  private void touch() {
    resource.put("fingerprint", Integer.toHexString((resource.toString() + serial + instances.size()).hashCode()));
  }

  static String last(String url) {
    return url.substring(url.lastIndexOf('/') + 1);
  }
}
