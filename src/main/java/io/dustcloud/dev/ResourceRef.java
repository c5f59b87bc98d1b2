package io.dustcloud.dev;

import java.util.Arrays;
import java.util.Optional;

/**
 * What a resource path names: /api/v1[/namespaces/NS]/PLURAL[/NAME[/SUB]] or the same under /apis/GROUP/VERSION.
 * Fields that the path does not give are null (group is "" for the core group).
 */
record ResourceRef(String group, String version, String plural, String namespace, String name, String subresource) {

  static Optional<ResourceRef> of(RequestPath request) {
    String[] s = request.segments();
    String group;
    String version;
    String[] rest;
    if (s.length >= 3 && s[0].equals("api")) {
      group = "";
      version = s[1];
      rest = Arrays.copyOfRange(s, 2, s.length);
    } else if (s.length >= 4 && s[0].equals("apis")) {
      group = s[1];
      version = s[2];
      rest = Arrays.copyOfRange(s, 3, s.length);
    } else {
      return Optional.empty();
    }
    // "namespaces/NS/X" names a namespaced resource X, unless X is a subresource of the namespace itself.
    boolean namespaced = rest.length >= 3 && rest[0].equals("namespaces")
        && !(rest.length == 3 && (rest[2].equals("status") || rest[2].equals("finalize")));
    String namespace = namespaced ? rest[1] : null;
    String[] local = namespaced ? Arrays.copyOfRange(rest, 2, rest.length) : rest;
    return Optional.of(new ResourceRef(group, version, local[0], namespace,
        local.length > 1 ? local[1] : null, local.length > 2 ? local[2] : null));
  }

  /** "unikernels.dustcloud.io" or "pods": how Kubernetes names the resource in messages. */
  String qualifiedName() {
    return group.isEmpty() ? plural : plural + "." + group;
  }
}
