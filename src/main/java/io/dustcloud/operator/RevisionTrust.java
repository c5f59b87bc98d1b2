package io.dustcloud.operator;

import io.dustcloud.api.v1alpha1.Unikernel;
import io.dustcloud.api.v1alpha1.UnikernelRevision;
import io.dustcloud.api.v1alpha1.UnikernelRevisionSpec;
import io.dustcloud.core.revision.RevisionNaming;
import io.fabric8.kubernetes.api.model.OwnerReference;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Whether a {@link UnikernelRevision} is one of a Unikernel's own: controlled by it (an
 * ownerReference with {@code controller: true} and its uid) and frozen as the operator froze
 * it (its spec hashes to its name and to {@code spec.hash}, and names the Unikernel). Anyone
 * allowed to create revisions can make an object with the name of a fleet's next revision;
 * its name alone says nothing about what it would run. Pure: no API calls.
 */
final class RevisionTrust {
  private RevisionTrust() {}

  /** Null when {@code rev} is {@code uk}'s own revision; else what does not match, for messages. */
  static String problem(Unikernel uk, UnikernelRevision rev) {
    List<String> problems = new ArrayList<>();
    String controller = controller(uk, rev);
    if (controller != null) {
      problems.add(controller);
    }
    UnikernelRevisionSpec spec = rev.getSpec();
    if (spec == null) {
      problems.add("it has no spec");
    } else {
      if (!uk.getMetadata().getName().equals(spec.unikernel)) {
        problems.add("its spec.unikernel is " + quote(spec.unikernel));
      }
      String hash = hashOf(spec);
      String name = rev.getMetadata().getName();
      boolean hashMatches = hash.equals(spec.hash);
      boolean nameMatches = name.equals(RevisionNaming.name(uk.getMetadata().getName(), hash));
      if (!hashMatches || !nameMatches) {
        problems.add("its spec hashes to " + hash + ", not to "
            + (hashMatches ? "" : "its spec.hash " + quote(spec.hash)) + (hashMatches || nameMatches ? "" : " nor ")
            + (nameMatches ? "" : "its name's suffix") + " (its content is not what its name says)");
      }
    }
    return problems.isEmpty() ? null : String.join("; ", problems);
  }

  /** Whether {@code uk} controls {@code rev} (whatever its content): only then may the operator delete it. */
  static boolean controlled(Unikernel uk, UnikernelRevision rev) {
    return controller(uk, rev) == null;
  }

  static boolean trusted(Unikernel uk, UnikernelRevision rev) {
    return problem(uk, rev) == null;
  }

  /** The object as messages name it, with what does not match. */
  static String describe(Unikernel uk, UnikernelRevision rev) {
    return rev.getMetadata().getNamespace() + "/" + rev.getMetadata().getName() + " is not a revision of Unikernel "
        + uk.getMetadata().getNamespace() + "/" + uk.getMetadata().getName() + ": " + problem(uk, rev);
  }

  /** The hash the operator computed for this frozen spec when it created the revision ({@link RevisionModel}). */
  static String hashOf(UnikernelRevisionSpec spec) {
    UnikernelRevisionSpec copy = Json.copy(spec, UnikernelRevisionSpec.class);
    copy.hash = null;
    return RevisionNaming.hash(RevisionModel.canonical(copy));
  }

  /** Null when {@code uk} controls {@code rev}; else who does, or that nobody does. */
  private static String controller(Unikernel uk, UnikernelRevision rev) {
    List<OwnerReference> refs = rev.getMetadata().getOwnerReferences();
    OwnerReference controller = refs == null ? null
        : refs.stream().filter(o -> Boolean.TRUE.equals(o.getController())).findFirst().orElse(null);
    if (controller == null) {
      return "it has no controlling ownerReference";
    }
    boolean ours = "Unikernel".equals(controller.getKind()) && uk.getMetadata().getUid() != null
        && uk.getMetadata().getUid().equals(controller.getUid());
    return ours ? null : "it is controlled by " + controller.getKind() + " " + controller.getName()
        + " (uid " + controller.getUid() + ")" + (Objects.equals(controller.getName(), uk.getMetadata().getName())
            ? ", not this Unikernel (uid " + uk.getMetadata().getUid() + ")" : "");
  }

  private static String quote(String s) {
    return s == null ? "missing" : "\"" + s + "\"";
  }
}
