package io.dustcloud.dev;

import io.fabric8.kubernetes.api.model.APIGroup;
import io.fabric8.kubernetes.api.model.APIGroupBuilder;
import io.fabric8.kubernetes.api.model.APIGroupList;
import io.fabric8.kubernetes.api.model.APIGroupListBuilder;
import io.fabric8.kubernetes.api.model.APIResource;
import io.fabric8.kubernetes.api.model.APIResourceBuilder;
import io.fabric8.kubernetes.api.model.APIResourceList;
import io.fabric8.kubernetes.api.model.APIResourceListBuilder;
import io.fabric8.kubernetes.api.model.APIVersions;
import io.fabric8.kubernetes.api.model.APIVersionsBuilder;
import io.fabric8.kubernetes.api.model.GroupVersionForDiscovery;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Legacy (unaggregated) discovery documents: /api, /api/v1, /apis, /apis/G, /apis/G/V. kubectl asks for aggregated
 * discovery first; a plain application/json answer makes it fall back to these.
 */
final class Discovery {

  private final ResourceCatalog catalog;

  Discovery(ResourceCatalog catalog) {
    this.catalog = catalog;
  }

  /** The discovery document for a path, or empty when the path is not a discovery path. */
  Optional<Object> document(RequestPath request) {
    String[] s = request.segments();
    if (s.length == 1 && s[0].equals("api")) {
      return Optional.of(coreVersions());
    }
    if (s.length == 2 && s[0].equals("api")) {
      return resourceList("", s[1]);
    }
    if (s.length == 1 && s[0].equals("apis")) {
      return Optional.of(groupList());
    }
    if (s.length == 2 && s[0].equals("apis")) {
      return groups().stream().filter(g -> g.getName().equals(s[1])).findFirst().map(Object.class::cast);
    }
    if (s.length == 3 && s[0].equals("apis")) {
      return resourceList(s[1], s[2]);
    }
    return Optional.empty();
  }

  private static APIVersions coreVersions() {
    return new APIVersionsBuilder().withVersions("v1")
        .addNewServerAddressByClientCIDR("0.0.0.0/0", "").build();
  }

  private APIGroupList groupList() {
    return new APIGroupListBuilder().withGroups(groups()).build();
  }

  private List<APIGroup> groups() {
    Map<String, Set<String>> versionsByGroup = new LinkedHashMap<>();
    for (ApiResource r : catalog.all()) {
      if (!r.group().isEmpty()) {
        versionsByGroup.computeIfAbsent(r.group(), g -> new LinkedHashSet<>()).add(r.version());
      }
    }
    List<APIGroup> groups = new ArrayList<>();
    versionsByGroup.forEach((group, versions) -> {
      List<GroupVersionForDiscovery> gvs = versions.stream()
          .map(v -> new GroupVersionForDiscovery(group + "/" + v, v)).toList();
      groups.add(new APIGroupBuilder().withName(group).withVersions(gvs).withPreferredVersion(gvs.get(0)).build());
    });
    return groups;
  }

  private Optional<Object> resourceList(String group, String version) {
    List<APIResource> resources = new ArrayList<>();
    for (ApiResource r : catalog.all()) {
      if (r.group().equals(group) && r.version().equals(version)) {
        resources.add(new APIResourceBuilder().withName(r.plural()).withSingularName(r.singular())
            .withNamespaced(r.namespaced()).withKind(r.kind()).withVerbs(ApiResource.VERBS)
            .withShortNames(r.shortNames().isEmpty() ? null : r.shortNames()).build());
        if (r.hasStatus()) {
          resources.add(new APIResourceBuilder().withName(r.plural() + "/status").withSingularName("")
              .withNamespaced(r.namespaced()).withKind(r.kind()).withVerbs(ApiResource.STATUS_VERBS).build());
        }
      }
    }
    if (resources.isEmpty()) {
      return Optional.empty();
    }
    APIResourceList list = new APIResourceListBuilder().withGroupVersion(group.isEmpty() ? version : group + "/" + version)
        .withResources(resources).build();
    return Optional.of(list);
  }
}
