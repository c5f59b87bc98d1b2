package io.dustcloud.build.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The in-cluster build index: one ConfigMap per namespace mapping build key → {@code {"url",
 * "sha256"}}. It outlives Jobs and revisions (both are garbage-collected), just as the
 * uploaded objects outlive them, so a key built once is never built again in that namespace.
 * About 150 bytes per entry: the 1 MiB ConfigMap limit holds ~6000 builds (docs/builds.md).
 */
public class BuildIndex {
  public static final String NAME = "dustcloud-build-index";
  private static final Logger log = LoggerFactory.getLogger(BuildIndex.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private final KubernetesClient client;

  public BuildIndex(KubernetesClient client) {
    this.client = client;
  }

  public record Entry(String url, String sha256) {}

  public Optional<Entry> lookup(String namespace, String key) {
    ConfigMap cm = client.configMaps().inNamespace(namespace).withName(NAME).get();
    String value = cm == null || cm.getData() == null ? null : cm.getData().get(key);
    if (value == null) {
      return Optional.empty();
    }
    try {
      JsonNode json = JSON.readTree(value);
      return Optional.of(new Entry(json.get("url").asText(), json.get("sha256").asText()));
    } catch (IOException | NullPointerException e) {
      log.warn("build index {}/{}: unreadable entry for {}; it will be rebuilt", namespace, NAME, key);
      return Optional.empty();
    }
  }

  /**
   * Adds an entry. Best effort: the revision records its artifact anyway, and a lost entry
   * only costs a rebuild (which the write-once upload turns into a no-op).
   */
  public void remember(String namespace, String key, Entry entry) {
    String value = JSON.createObjectNode().put("url", entry.url()).put("sha256", entry.sha256()).toString();
    try {
      ConfigMap cm = client.configMaps().inNamespace(namespace).withName(NAME).get();
      if (cm == null) {
        client.resource(new ConfigMapBuilder()
            .withNewMetadata().withName(NAME).withNamespace(namespace)
                .addToLabels(BuildJobModel.LABEL_MANAGED_BY, "dustcloud").endMetadata()
            .addToData(key, value).build()).create();
      } else {
        if (cm.getData() == null) {
          cm.setData(new java.util.HashMap<>());
        }
        cm.getData().put(key, value);
        client.resource(cm).update(); // guarded by resourceVersion: a concurrent write is not lost silently
      }
    } catch (KubernetesClientException e) {
      log.warn("build index {}/{}: could not record {}: {}", namespace, NAME, key, e.getMessage());
    }
  }
}
