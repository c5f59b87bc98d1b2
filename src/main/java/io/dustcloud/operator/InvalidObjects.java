package io.dustcloud.operator;

import io.dustcloud.api.v1alpha1.InvalidField;
import io.dustcloud.api.v1alpha1.ReadProblems;
import io.dustcloud.api.v1alpha1.Unikernel;
import io.dustcloud.api.v1alpha1.UnikernelRevision;
import io.dustcloud.core.Reason;
import io.dustcloud.provider.FleetId;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reports each object the operator could not fully read ({@link io.dustcloud.api.v1alpha1.LenientReader})
 * once per version of it: one ERROR line naming the object and the field. A fleet is reconciled
 * again and again (supervisor wake-ups, resyncs) while the object stays as it is, and a line per
 * reconcile would bury the one that matters. A version is the generation and the problems found,
 * not the resourceVersion: the operator's own status write (the stall) moves the resourceVersion
 * and must not report the same spec again.
 *
 * <p>What happens to the object is decided elsewhere: an unreadable spec (of the Unikernel or
 * of one of its revisions) stalls the fleet in {@link GateSpec}, and that stall is the Warning
 * Event ({@link StatusEvents}). An unreadable status is replaced by the operator's own, so
 * nothing else would tell: it gets its Warning Event here.
 */
final class InvalidObjects {
  private static final Logger log = LoggerFactory.getLogger(InvalidObjects.class);
  private final FleetEvents events;
  /** What was last reported, by kind/namespace/name; only objects that are unreadable now. */
  private final Map<String, Reported> reported = new ConcurrentHashMap<>();

  /** The version of an unreadable object that was reported. */
  private record Reported(Long generation, InvalidField spec, InvalidField status) {}

  InvalidObjects(FleetEvents events) {
    this.events = events;
  }

  /** Reports what of {@code uk} and its revisions could not be read, unless already reported. */
  void report(Unikernel uk, Collection<UnikernelRevision> revisions) {
    var read = uk.readProblems();
    if (firstTime(uk, read)) {
      if (read.spec() != null) {
        logError(uk, read.spec(), "the fleet is left as it is until the object is fixed");
      }
      if (read.status() != null) {
        logError(uk, read.status(), "the operator replaces the status with its own");
        events.warning(uk, Reason.INVALID_OBJECT, statusMessage("the status", read.status()));
      }
    }
    for (UnikernelRevision rev : revisions) {
      var revRead = rev.readProblems();
      if (firstTime(rev, revRead)) {
        if (revRead.spec() != null) {
          logError(rev, revRead.spec(), "fleet " + uk.getMetadata().getName()
              + " is left as it is until the revision is fixed or deleted");
        }
        if (revRead.status() != null) {
          logError(rev, revRead.status(), "the operator records the revision's status again");
          events.warning(uk, Reason.INVALID_OBJECT,
              statusMessage("revision " + rev.getMetadata().getName(), revRead.status()));
        }
      }
    }
  }

  /** The stall's message for an unreadable spec of the Unikernel or of a revision. */
  static String specMessage(String object, InvalidField field) {
    return object + " cannot be read: " + field.describe() + "; the fleet is left as it is until it is fixed";
  }

  /** The Event's message for an unreadable status, which the operator then writes anew. */
  static String statusMessage(String object, InvalidField field) {
    return object + " cannot be read: " + field.describe() + "; the status is replaced with the operator's own";
  }

  /** Forgets a deleted fleet's reports. */
  void forget(FleetId fleet) {
    reported.keySet().removeIf(k -> k.startsWith(Unikernel.class.getSimpleName() + "/" + fleet.namespace() + "/"
        + fleet.name()) || k.startsWith(UnikernelRevision.class.getSimpleName() + "/" + fleet.namespace() + "/"
        + fleet.name() + "-"));
  }

  /** True the first time {@code o} is seen unreadable in this version (generation and problems). */
  private boolean firstTime(HasMetadata o, ReadProblems<?> problems) {
    String key = o.getClass().getSimpleName() + "/" + o.getMetadata().getNamespace() + "/" + o.getMetadata().getName();
    if (!problems.any()) {
      reported.remove(key);
      return false;
    }
    Reported now = new Reported(o.getMetadata().getGeneration(), problems.spec(), problems.status());
    return !now.equals(reported.put(key, now));
  }

  private static void logError(HasMetadata o, InvalidField field, String consequence) {
    log.error("{} {}/{} (resourceVersion {}) cannot be read: {}; {}", o.getKind(), o.getMetadata().getNamespace(),
        o.getMetadata().getName(), o.getMetadata().getResourceVersion(), field.describe(), consequence);
  }
}
