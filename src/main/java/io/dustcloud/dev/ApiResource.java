package io.dustcloud.dev;

import java.util.List;

/**
 * What the dev API server knows about one resource type in one group/version: enough for discovery,
 * for Table output and for naming objects in watch bookmarks.
 */
record ApiResource(
    String group,
    String version,
    String plural,
    String singular,
    String kind,
    boolean namespaced,
    List<String> shortNames,
    boolean hasStatus,
    List<PrinterColumn> printerColumns) {

  static final List<String> VERBS =
      List.of("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch");
  static final List<String> STATUS_VERBS = List.of("get", "patch", "update");

  /** One printed column: a CRD additionalPrinterColumn, or one of the defaults (Name, Age). */
  record PrinterColumn(String name, String type, String format, String description, int priority, String jsonPath) {}

  String groupVersion() {
    return group.isEmpty() ? version : group + "/" + version;
  }

  static ApiResource builtin(String group, String version, String plural, String kind, boolean namespaced,
      boolean hasStatus, String... shortNames) {
    return new ApiResource(group, version, plural, kind.toLowerCase(), kind, namespaced, List.of(shortNames),
        hasStatus, List.of());
  }
}
