package io.dustcloud.dev;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The paths of one resource type in an OpenAPI v3 document, shaped as a real API server's: each operation names
 * its action and group/version/kind, and writes list the query parameters the server honours. kubectl reads two
 * things from them: whether PATCH takes fieldValidation (then it validates on the server), and which kind a
 * resource path serves (explain).
 */
final class OpenApiPaths {

  private OpenApiPaths() {
  }

  /**
   * @param strategicMerge whether PATCH lists strategic merge patches: kubectl then computes them from the
   *     document's schema, so only kinds with a real schema may say so (custom kinds never take them, as on a real
   *     server); kubectl falls back to its compiled-in types for the other built-in kinds
   */
  static void add(ObjectNode paths, ApiResource r, String objectRef, String listRef, boolean strategicMerge) {
    String base = (r.group().isEmpty() ? "/api/" : "/apis/" + r.group() + "/") + r.version();
    String collection = base + (r.namespaced() ? "/namespaces/{namespace}/" : "/") + r.plural();
    String item = collection + "/{name}";

    ObjectNode list = pathItem(paths, collection, r.namespaced(), false);
    list.set("get", operation(r, "list", listRef, false, false));
    list.set("post", operation(r, "post", objectRef, true, false));
    list.set("delete", operation(r, "deletecollection", null, false, false));

    ObjectNode one = pathItem(paths, item, r.namespaced(), true);
    one.set("get", operation(r, "get", objectRef, false, false));
    one.set("put", operation(r, "put", objectRef, true, false));
    one.set("patch", operation(r, "patch", objectRef, true, strategicMerge));
    one.set("delete", operation(r, "delete", null, false, false));

    if (r.hasStatus()) {
      ObjectNode status = pathItem(paths, item + "/status", r.namespaced(), true);
      status.set("get", operation(r, "get", objectRef, false, false));
      status.set("put", operation(r, "put", objectRef, true, false));
      status.set("patch", operation(r, "patch", objectRef, true, strategicMerge));
    }
    if (r.namespaced()) {
      pathItem(paths, base + "/" + r.plural(), false, false).set("get", operation(r, "list", listRef, false, false));
    }
  }

  private static ObjectNode pathItem(ObjectNode paths, String path, boolean namespaced, boolean named) {
    ObjectNode item = paths.putObject(path);
    ArrayNode parameters = item.putArray("parameters");
    if (named) {
      pathParameter(parameters, "name", "name of the object");
    }
    if (namespaced) {
      pathParameter(parameters, "namespace", "object name and auth scope, such as for teams and projects");
    }
    return item;
  }

  private static void pathParameter(ArrayNode parameters, String name, String description) {
    ObjectNode p = parameters.addObject().put("name", name).put("in", "path").put("description", description)
        .put("required", true);
    p.putObject("schema").put("type", "string").put("uniqueItems", true);
  }

  private static ObjectNode operation(ApiResource r, String action, String bodyRef, boolean write,
      boolean strategicMerge) {
    ObjectNode op = JsonNodeFactory.instance.objectNode()
        .put("operationId", action + r.kind()).put("description", action + " " + r.kind());
    op.put("x-kubernetes-action", action);
    op.putObject("x-kubernetes-group-version-kind")
        .put("group", r.group()).put("kind", r.kind()).put("version", r.version());
    ArrayNode parameters = op.putArray("parameters");
    if (write) {
      query(parameters, "dryRun", "When present, indicates that modifications should not be persisted.");
      query(parameters, "fieldManager", "fieldManager is a name associated with the actor or entity that is making"
          + " these changes.");
      query(parameters, "fieldValidation", "fieldValidation instructs the server on how to handle objects in the"
          + " request containing unknown or duplicate fields: Ignore, Warn or Strict.");
      if (action.equals("patch")) {
        query(parameters, "force", "Force is going to \"force\" Apply requests.");
      }
      ObjectNode body = op.putObject("requestBody").put("required", true).putObject("content");
      if (action.equals("patch")) {
        for (String type : new String[] {"application/apply-patch+yaml", "application/json-patch+json",
            "application/merge-patch+json"}) {
          body.putObject(type).putObject("schema").put("type", "object");
        }
        if (strategicMerge) {
          body.putObject("application/strategic-merge-patch+json").putObject("schema").put("type", "object");
        }
      } else {
        body.putObject("application/json").putObject("schema").put("$ref", bodyRef);
      }
    }
    ObjectNode ok = op.putObject("responses").putObject("200").put("description", "OK");
    ObjectNode schema = ok.putObject("content").putObject("application/json").putObject("schema");
    if (bodyRef != null) {
      schema.put("$ref", bodyRef);
    } else {
      schema.put("type", "object");
    }
    return op;
  }

  private static void query(ArrayNode parameters, String name, String description) {
    ObjectNode p = parameters.addObject().put("name", name).put("in", "query").put("description", description);
    p.putObject("schema").put("type", "string").put("uniqueItems", true);
  }
}
