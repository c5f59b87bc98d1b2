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

  /** Where new incarnations get their id and loopback networkIP (unique across the fake). */
  interface Births {
    long newId();

    String newIp();
  }

  static final class Instance {
    final String name;
    String template;
    long startedAt;
    boolean recreating;
    /** This incarnation: a recreated instance keeps its name and gets a new id and address. */
    long id;
    String ip;
    /** DELETING or RECREATING while connection draining holds it; null otherwise. */
    String leaving;
    long leaveUntil;
    /** The template a draining RECREATING instance comes back with. */
    String nextTemplate;
    /** GCE could not create it yet (its last attempt's error); null once it exists. */
    Failure notCreated;
    /** How many VMs this instance has had (1 for the first): each has its own console. */
    int incarnation;
    /** When GCE last tried (and failed) to create its VM, on the fake's clock. */
    long lastAttemptAt;

    Instance(String name, String template, long startedAt) {
      this.name = name;
      this.template = template;
      this.startedAt = startedAt;
    }

    /** The template this instance counts for: the one it comes back with when it is being recreated. */
    String counted() {
      return nextTemplate != null ? nextTemplate : template;
    }
  }

  /**
   * Why GCE cannot create VMs now, in its words ({@code QUOTA_EXCEEDED}, {@code
   * ZONE_RESOURCE_POOL_EXHAUSTED}, {@code PERMISSIONS_ERROR}…). {@code quiet}: the managed
   * instance shows no {@code lastAttempt} (as between two of GCE's attempts, once it gave one
   * up), so only the group's {@code listErrors} tells the cause.
   */
  record Failure(String code, String message, boolean quiet) {}

  /**
   * The group's errors, newest first, as {@code listErrors} answers them: one per failed
   * instance action (each failed creation attempt). GCE keeps a bounded history; so does the fake.
   */
  final java.util.ArrayDeque<ObjectNode> errors = new java.util.ArrayDeque<>();
  static final int ERRORS_KEPT = 100;
  /** How often GCE tries again to create a VM it could not create (each failed try is an error entry). */
  java.util.function.LongSupplier creationRetryMillis = () -> 10_000;

  private final Births births;

  FakeGroup(ObjectNode resource, String zoneUrlPrefix, LongSupplier millis, long provisioningMillis, long stagingMillis,
      java.util.function.Predicate<String> crashes, Births births) {
    this.births = births;
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
        members().size()));
  }

  /** Instances that are members: all but those draining before their deletion. */
  List<Instance> members() {
    List<Instance> out = new ArrayList<>();
    for (Instance i : instances) {
      if (!"DELETING".equals(i.leaving)) {
        out.add(i);
      }
    }
    return out;
  }

  /**
   * Adds or removes instances until the group holds targetSize, choosing versions by deficit;
   * the fake picks the victims of a shrink itself (surplus version first, newest first), as GCE
   * does. With {@code drainMillis} > 0 a victim stays DELETING that long before it goes.
   */
  void converge(long drainMillis) {
    List<Instance> members = members();
    while (members.size() > targetSize()) {
      Map<String, Integer> surplus = surplus(members);
      Instance victim = members.stream()
          .max(Comparator.comparingInt((Instance i) -> surplus.getOrDefault(i.counted(), Integer.MAX_VALUE))
              .thenComparingLong(i -> i.startedAt))
          .orElseThrow();
      members.remove(victim);
      leave(victim, "DELETING", drainMillis);
    }
    while (members.size() < targetSize()) {
      Instance i = born(new Instance(nextName(), mostWanted(members), millis.getAsLong()));
      instances.add(i);
      members.add(i);
    }
    touch();
  }

  void converge() {
    converge(0);
  }

  /** Recreates the named instances (by URL or name) with the versions furthest below target. */
  void recreate(List<String> urls, long drainMillis) {
    List<Instance> chosen = new ArrayList<>();
    for (String url : urls) {
      instances.stream().filter(i -> i.name.equals(last(url)) && i.leaving == null).findFirst().ifPresent(chosen::add);
    }
    List<Instance> staying = members();
    staying.removeAll(chosen);
    for (Instance i : chosen) {
      String template = mostWanted(staying);
      if (drainMillis > 0) {
        i.nextTemplate = template;
        leave(i, "RECREATING", drainMillis);
      } else {
        reincarnate(i, template);
      }
      staying.add(i);
    }
    touch();
  }

  void recreate(List<String> urls) {
    recreate(urls, 0);
  }

  /** Recreates one instance at once (autohealing): new id, new address, booting again. */
  void reincarnate(Instance i, String template) {
    i.template = template;
    i.nextTemplate = null;
    i.leaving = null;
    i.startedAt = millis.getAsLong();
    i.recreating = true;
    born(i);
    touch();
  }

  /** The members named by {@code urls} that are not in the group, for deleteInstances' validation. */
  List<String> strangers(List<String> urls) {
    List<String> out = new ArrayList<>();
    for (String url : urls) {
      if (!url.contains("instances/") || members().stream().noneMatch(i -> i.name.equals(last(url)))) {
        out.add(url);
      }
    }
    return out;
  }

  void deleteInstances(List<String> urls, long drainMillis) {
    for (String url : urls) {
      for (Instance i : members()) {
        if (i.name.equals(last(url))) {
          leave(i, "DELETING", drainMillis);
        }
      }
    }
    resource.put("targetSize", members().size());
    touch();
  }

  void deleteInstances(List<String> urls) {
    deleteInstances(urls, 0);
  }

  /** Ends the drains that are over: DELETING instances go, RECREATING ones come back as a new incarnation. */
  boolean settle() {
    long now = millis.getAsLong();
    boolean changed = false;
    for (Instance i : new ArrayList<>(instances)) {
      if (i.leaving != null && now >= i.leaveUntil) {
        if (i.leaving.equals("DELETING")) {
          instances.remove(i);
        } else {
          reincarnate(i, i.nextTemplate);
        }
        changed = true;
      }
    }
    if (changed) {
      touch();
    }
    return changed;
  }

  /**
   * How long a guest takes to stop once GCE asks it to (deleting or recreating it, after any
   * connection draining): up to 90 s for a guest without ACPI power-off, as a Solo5 virtio
   * unikernel is, until GCE forces it. The instance stays DELETING / RECREATING meanwhile; a
   * recreated one comes back only then.
   */
  java.util.function.LongSupplier guestShutdownMillis = () -> 0;

  private void leave(Instance i, String action, long drainMillis) {
    drainMillis += guestShutdownMillis.getAsLong();
    if (drainMillis <= 0) {
      if (action.equals("DELETING")) {
        instances.remove(i);
      } else {
        reincarnate(i, i.nextTemplate);
      }
      return;
    }
    i.leaving = action;
    i.leaveUntil = millis.getAsLong() + drainMillis;
  }

  private Instance born(Instance i) {
    i.id = births.newId();
    i.ip = births.newIp();
    i.incarnation++;
    i.notCreated = creationFailure == null ? null : creationFailure.get();
    if (i.notCreated != null) {
      failedAttempt(i, millis.getAsLong());
    }
    return i;
  }

  /** One failed creation of the instance's VM, as listErrors keeps it (the oldest beyond the cap go). */
  private void failedAttempt(Instance i, long now) {
    i.lastAttemptAt = now;
    ObjectNode e = JsonNodeFactory.instance.objectNode();
    e.putObject("error").put("code", i.notCreated.code()).put("message", i.notCreated.message());
    ObjectNode details = e.putObject("instanceActionDetails");
    details.put("action", i.recreating ? "RECREATING" : "CREATING");
    details.put("instance", zoneUrlPrefix + "/instances/" + i.name);
    details.putObject("version").put("instanceTemplate", templateUrl(i.template)).put("name", i.template);
    e.put("timestamp", java.time.Instant.ofEpochMilli(now).toString());
    errors.addFirst(e);
    while (errors.size() > ERRORS_KEPT) {
      errors.removeLast();
    }
  }

  private String templateUrl(String template) {
    // the project is the zone's: …/projects/P/zones/Z
    String project = zoneUrlPrefix.substring(0, zoneUrlPrefix.indexOf("/zones/"));
    return project + "/global/instanceTemplates/" + template;
  }

  /**
   * What a VM creation fails with now ({code, message}: quota, stockout, permission), or null.
   * An instance born while it is set stays CREATING with that {@code lastAttempt} error, no
   * status and no VM, until it is cleared; then it is created.
   */
  java.util.function.Supplier<Failure> creationFailure;

  /** Whether GCE still fails to create the instance; once the failure is gone its VM starts now. */
  boolean blocked(Instance i, long now) {
    if (i.notCreated == null) {
      return false;
    }
    Failure still = creationFailure == null ? null : creationFailure.get();
    if (still == null) {
      i.notCreated = null;
      i.startedAt = now;
      return false;
    }
    i.notCreated = still;
    if (now - i.lastAttemptAt >= creationRetryMillis.getAsLong()) {
      failedAttempt(i, now); // GCE tried again, and failed again
    }
    return true;
  }

  /** When the instance is (or would be) RUNNING on the fake's clock; -1 for a crashing template. */
  long runningSince(Instance i) {
    return crashes.test(i.template) || blocked(i, millis.getAsLong()) ? -1
        : i.startedAt + provisioningMillis + stagingMillis;
  }

  /** The instance's status on the fake's clock. */
  String status(Instance i, long now) {
    if (blocked(i, now)) {
      return "";
    }
    long age = now - i.startedAt;
    return age < provisioningMillis ? "PROVISIONING" : age < provisioningMillis + stagingMillis ? "STAGING"
        : crashes.test(i.template) ? "TERMINATED" : "RUNNING";
  }

  ArrayNode managedInstances(String project) {
    ArrayNode out = JsonNodeFactory.instance.arrayNode();
    long now = millis.getAsLong();
    for (Instance i : instances) {
      String status = status(i, now);
      String action = i.leaving != null ? i.leaving
          : status.equals("RUNNING") || status.equals("TERMINATED") ? "NONE"
          : i.recreating ? "RECREATING" : "CREATING";
      ObjectNode m = out.addObject();
      m.put("instance", zoneUrlPrefix + "/instances/" + i.name);
      m.put("name", i.name);
      if (status.isEmpty()) {
        // not created: no VM (so no id), no status, and why in GCE's words — unless GCE is between attempts
        m.put("currentAction", i.recreating ? "RECREATING" : "CREATING");
        if (!i.notCreated.quiet()) {
          m.putObject("lastAttempt").putObject("errors").putArray("errors").addObject()
              .put("code", i.notCreated.code()).put("message", i.notCreated.message());
        }
      } else {
        m.put("id", Long.toString(i.id));
        m.put("instanceStatus", status);
        m.put("currentAction", action);
      }
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
    Map<String, Integer> actions = new LinkedHashMap<>();
    for (String a : List.of("creating", "deleting", "recreating", "none")) {
      actions.put(a, 0);
    }
    for (JsonNode m : managed) {
      String action = m.path("currentAction").asText();
      stable &= action.equals("NONE");
      actions.merge(action.toLowerCase(java.util.Locale.ROOT), 1, Integer::sum);
    }
    ObjectNode status = out.putObject("status");
    status.put("isStable", stable);
    status.putObject("versionTarget").put("isReached", stable);
    ObjectNode current = out.putObject("currentActions");
    actions.forEach(current::put);
    return out;
  }

  private Map<String, Integer> surplus(List<Instance> of) {
    Map<String, Integer> surplus = new LinkedHashMap<>();
    targets().forEach((t, n) -> surplus.put(t, -n));
    for (Instance i : of) {
      surplus.merge(i.counted(), 1, Integer::sum);
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
