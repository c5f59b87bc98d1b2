package io.dustcloud.provider;

import java.util.Objects;

/** Identifies one fleet: the {@code Unikernel} it belongs to. */
public record FleetId(String namespace, String name) {
  public FleetId {
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(name, "name");
  }

  /** A file-safe unique key, {@code namespace.name}: namespaces are DNS labels without dots, so it cannot clash. */
  public String key() {
    return namespace + "." + name;
  }

  @Override
  public String toString() {
    return namespace + "/" + name;
  }
}
