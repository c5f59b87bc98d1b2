package io.dustcloud.dev;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionNames;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.http.MockResponse;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * All resource types the server knows: the built-in ones plus one entry per served version of each stored CRD.
 * CRDs are read from the store on every call, so discovery is never stale after a CRD is created or deleted.
 */
final class ResourceCatalog {

  static final String CRD_PATH = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";

  private final Function<String, MockResponse> storeGet;

  ResourceCatalog(Function<String, MockResponse> storeGet) {
    this.storeGet = storeGet;
  }

  List<ApiResource> all() {
    List<ApiResource> all = new ArrayList<>(BuiltinResources.ALL);
    all.addAll(customResources());
    return all;
  }

  Optional<ApiResource> find(String group, String version, String plural) {
    return all().stream()
        .filter(r -> r.group().equals(group) && r.version().equals(version) && r.plural().equals(plural))
        .findFirst();
  }

  List<CustomResourceDefinition> crds() {
    MockResponse response = storeGet.apply(CRD_PATH);
    if (response.code() != 200 || !Responses.hasBody(response)) {
      return List.of();
    }
    JsonNode items = Responses.bodyJson(response).path("items");
    List<CustomResourceDefinition> crds = new ArrayList<>();
    items.forEach(item -> crds.add(Serialization.jsonMapper().convertValue(item, CustomResourceDefinition.class)));
    return crds;
  }

  /**
   * Each served CRD version's openAPIV3Schema as stored (not through the typed model, which would add or drop
   * nothing but could reorder), keyed GROUP/VERSION/KIND.
   */
  Map<String, JsonNode> crdSchemas() {
    MockResponse response = storeGet.apply(CRD_PATH);
    Map<String, JsonNode> schemas = new LinkedHashMap<>();
    if (response.code() != 200 || !Responses.hasBody(response)) {
      return schemas;
    }
    for (JsonNode crd : Responses.bodyJson(response).path("items")) {
      JsonNode spec = crd.path("spec");
      for (JsonNode v : spec.path("versions")) {
        JsonNode schema = v.path("schema").path("openAPIV3Schema");
        if (schema.isObject()) {
          schemas.put(spec.path("group").asText() + "/" + v.path("name").asText() + "/"
              + spec.path("names").path("kind").asText(), schema);
        }
      }
    }
    return schemas;
  }

  private List<ApiResource> customResources() {
    List<ApiResource> resources = new ArrayList<>();
    for (CustomResourceDefinition crd : crds()) {
      CustomResourceDefinitionNames names = crd.getSpec().getNames();
      boolean namespaced = "Namespaced".equals(crd.getSpec().getScope());
      for (CustomResourceDefinitionVersion v : crd.getSpec().getVersions()) {
        if (Boolean.FALSE.equals(v.getServed())) {
          continue;
        }
        String singular = names.getSingular() != null ? names.getSingular() : names.getKind().toLowerCase();
        resources.add(new ApiResource(crd.getSpec().getGroup(), v.getName(), names.getPlural(), singular,
            names.getKind(), namespaced, names.getShortNames() == null ? List.of() : names.getShortNames(),
            v.getSubresources() != null && v.getSubresources().getStatus() != null, printerColumns(v)));
      }
    }
    return resources;
  }

  private static List<ApiResource.PrinterColumn> printerColumns(CustomResourceDefinitionVersion v) {
    List<CustomResourceColumnDefinition> defs =
        v.getAdditionalPrinterColumns() == null ? List.of() : v.getAdditionalPrinterColumns();
    return defs.stream()
        .map(c -> new ApiResource.PrinterColumn(c.getName(), c.getType(), c.getFormat(), c.getDescription(),
            c.getPriority() == null ? 0 : c.getPriority(), c.getJsonPath()))
        .toList();
  }
}
