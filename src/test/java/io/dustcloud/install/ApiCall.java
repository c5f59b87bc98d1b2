package io.dustcloud.install;

import java.util.Set;

/** An HTTP request to the Kubernetes API, as the RBAC verb and resource it needs. */
record ApiCall(String group, String namespace, String resource, String name, String verb) {

  static ApiCall of(String method, String pathAndQuery) {
    String path = pathAndQuery.split("\\?")[0];
    String query = pathAndQuery.contains("?") ? pathAndQuery.substring(pathAndQuery.indexOf('?') + 1) : "";
    String[] s = path.replaceFirst("^/", "").split("/");
    int i;
    String group;
    if (s[0].equals("api")) {
      group = "core";
      i = 2;
    } else {
      group = s[1];
      i = 3;
    }
    String namespace = null;
    if (s.length > i + 1 && s[i].equals("namespaces") && s.length > i + 2) {
      namespace = s[i + 1];
      i += 2;
    }
    String resource = s[i];
    String name = s.length > i + 1 ? s[i + 1] : null;
    if (s.length > i + 2) {
      resource = resource + "/" + s[i + 2];
    }
    boolean watch = query.matches("(.*&)?watch=(true|1)(&.*)?");
    String verb = switch (method) {
      case "GET" -> name != null ? "get" : watch ? "watch" : "list";
      case "POST" -> "create";
      case "PUT" -> "update";
      case "PATCH" -> "patch";
      case "DELETE" -> name != null ? "delete" : "deletecollection";
      default -> method.toLowerCase();
    };
    return new ApiCall(group, namespace, resource, name, verb);
  }

  /** Whether a flattened grant list ({@link Charts#grants}) allows this call. */
  boolean allowedBy(Set<String> grants) {
    return grants.contains(group + "/" + resource + " " + verb)
        || (name != null && grants.contains(group + "/" + resource + ":" + name + " " + verb));
  }

  @Override
  public String toString() {
    return group + "/" + resource + " " + verb;
  }
}
