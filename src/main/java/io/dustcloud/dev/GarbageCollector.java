package io.dustcloud.dev;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The API server's garbage collector, for dev mode: once an object is gone from the store (after its
 * finalizers), every object whose {@code metadata.ownerReferences} names its uid is deleted too,
 * as with background propagation. A dependent that has finalizers is only marked for deletion; its
 * own dependents follow when it is actually removed, so collection is transitive. Run after each
 * write, on the server's single event loop, so it sees every removal. Not modelled: foreground
 * deletion (treated as background; {@code blockOwnerDeletion} is ignored) and orphaning (the
 * dispatcher skips collection for a delete that asks for {@code Orphan}).
 */
final class GarbageCollector {
  private final ChangeJournal journal;
  private final Supplier<List<String>> objects;
  private final ResourceCatalog catalog;
  private final Function<String, ?> delete;

  GarbageCollector(ChangeJournal journal, Supplier<List<String>> objects, ResourceCatalog catalog,
      Function<String, ?> delete) {
    this.journal = journal;
    this.objects = objects;
    this.catalog = catalog;
    this.delete = delete;
  }

  /** Deletes the dependents of every object removed after {@code resourceVersion}, and theirs, and so on. */
  void collectAfter(long resourceVersion) {
    long since = resourceVersion;
    Set<String> handled = new HashSet<>();
    while (true) {
      Set<String> removed = new HashSet<>();
      for (ChangeJournal.Change c : journal.latestAfter(since, c -> c.type().equals("DELETED"))) {
        String uid = Responses.parse(c.object()).path("metadata").path("uid").asText("");
        if (!uid.isEmpty() && handled.add(uid)) {
          removed.add(uid);
        }
      }
      if (removed.isEmpty()) {
        return;
      }
      since = journal.latest();
      for (String state : objects.get()) {
        if (!state.contains("ownerReferences")) {
          continue; // most objects own nothing: skip parsing them
        }
        JsonNode object = Responses.parse(state);
        if (ownedByAny(object, removed)) {
          pathOf(object).ifPresent(delete::apply);
        }
      }
    }
  }

  private static boolean ownedByAny(JsonNode object, Set<String> uids) {
    for (JsonNode owner : object.path("metadata").path("ownerReferences")) {
      if (uids.contains(owner.path("uid").asText())) {
        return true;
      }
    }
    return false;
  }

  /** The object's own path, from its apiVersion and kind (types the server does not know are left alone). */
  private Optional<String> pathOf(JsonNode object) {
    String apiVersion = object.path("apiVersion").asText("");
    int slash = apiVersion.indexOf('/');
    String group = slash < 0 ? "" : apiVersion.substring(0, slash);
    String version = apiVersion.substring(slash + 1);
    String kind = object.path("kind").asText();
    JsonNode meta = object.path("metadata");
    return catalog.all().stream()
        .filter(r -> r.group().equals(group) && r.version().equals(version) && r.kind().equals(kind))
        .findFirst()
        .map(r -> (group.isEmpty() ? "/api/" + version : "/apis/" + group + "/" + version)
            + (r.namespaced() ? "/namespaces/" + meta.path("namespace").asText() : "")
            + "/" + r.plural() + "/" + meta.path("name").asText());
  }
}
