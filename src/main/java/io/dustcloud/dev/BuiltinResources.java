package io.dustcloud.dev;

import java.util.List;

/**
 * The built-in resource types the dev API server advertises. The CRUD store accepts any path, so this list only
 * decides what kubectl can name (and resolve short names for); it covers what a user of the operator would touch.
 */
final class BuiltinResources {

  static final List<ApiResource> ALL = List.of(
      ApiResource.builtin("", "v1", "namespaces", "Namespace", false, true, "ns"),
      ApiResource.builtin("", "v1", "nodes", "Node", false, true, "no"),
      ApiResource.builtin("", "v1", "events", "Event", true, false, "ev"),
      ApiResource.builtin("", "v1", "pods", "Pod", true, true, "po"),
      ApiResource.builtin("", "v1", "services", "Service", true, true, "svc"),
      ApiResource.builtin("", "v1", "endpoints", "Endpoints", true, false, "ep"),
      ApiResource.builtin("", "v1", "secrets", "Secret", true, false),
      ApiResource.builtin("", "v1", "configmaps", "ConfigMap", true, false, "cm"),
      ApiResource.builtin("", "v1", "serviceaccounts", "ServiceAccount", true, false, "sa"),
      ApiResource.builtin("", "v1", "persistentvolumeclaims", "PersistentVolumeClaim", true, true, "pvc"),
      ApiResource.builtin("apps", "v1", "deployments", "Deployment", true, true, "deploy"),
      ApiResource.builtin("apps", "v1", "statefulsets", "StatefulSet", true, true, "sts"),
      ApiResource.builtin("apps", "v1", "daemonsets", "DaemonSet", true, true, "ds"),
      ApiResource.builtin("apps", "v1", "replicasets", "ReplicaSet", true, true, "rs"),
      ApiResource.builtin("batch", "v1", "jobs", "Job", true, true),
      ApiResource.builtin("batch", "v1", "cronjobs", "CronJob", true, true, "cj"),
      ApiResource.builtin("coordination.k8s.io", "v1", "leases", "Lease", true, false),
      ApiResource.builtin("events.k8s.io", "v1", "events", "Event", true, false, "ev"),
      ApiResource.builtin("apiextensions.k8s.io", "v1", "customresourcedefinitions", "CustomResourceDefinition",
          false, true, "crd", "crds"));

  private BuiltinResources() {
  }
}
