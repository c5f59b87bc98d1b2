package io.dustcloud.dev;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.mockwebserver.crud.AttributeSet;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Map;
import java.util.Objects;

/**
 * fabric8's CRUD store, additionally recording every change in a {@link ChangeJournal}. The store itself only
 * pushes changes to websocket watchers; the journal is what lets kubectl's plain-HTTP watches see them too.
 */
final class JournalingCrudDispatcher extends VersionCheckingCrudDispatcher {

  private final ChangeJournal journal;

  JournalingCrudDispatcher(ChangeJournal journal) {
    this.journal = journal;
  }

  // Called by the store's handlers with its write lock held, so journal order is resourceVersion order.
  @Override
  public void processEvent(String path, AttributeSet pathAttributes, AttributeSet oldAttributes,
      GenericKubernetesResource resource, String newState) {
    String existing = oldAttributes == null ? null : map.get(oldAttributes);
    super.processEvent(path, pathAttributes, oldAttributes, resource, newState);
    if (Objects.equals(existing, newState)) {
      return;
    }
    if (newState == null) {
      // A deletion gets its own resourceVersion, like on a real API server, so watchers resume after it.
      long rv = requestResourceVersion();
      ObjectNode deleted = (ObjectNode) Responses.parse(existing);
      deleted.withObjectProperty("metadata").put("resourceVersion", String.valueOf(rv));
      journal.append(new ChangeJournal.Change(rv, "DELETED", oldAttributes, deleted.toString()));
      return;
    }
    long rv = Responses.parse(newState).path("metadata").path("resourceVersion").asLong();
    journal.append(new ChangeJournal.Change(rv, existing == null ? "ADDED" : "MODIFIED", keyOf(newState), newState));
  }

  /** Every stored object, as the store keeps it (JSON), at one instant. */
  java.util.List<String> objects() {
    synchronized (map) {
      return new java.util.ArrayList<>(map.values());
    }
  }

  /** The key the store filed a state under (it computes it privately, so look it up by identity). */
  private AttributeSet keyOf(String state) {
    synchronized (map) {
      for (Map.Entry<AttributeSet, String> e : map.entrySet()) {
        if (e.getValue() == state) {
          return e.getKey();
        }
      }
    }
    return new AttributeSet();
  }
}
