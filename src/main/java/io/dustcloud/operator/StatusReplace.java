package io.dustcloud.operator;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;
import java.util.function.Function;

/**
 * Replaces an object's status guarded by its resourceVersion, and retries a refused replace the
 * way client-go's {@code RetryOnConflict} does, with one difference that keeps the guard
 * meaningful: the write is repeated on the latest version only when that version's status is
 * still the one the new status was decided from. A 409 caused by a label, annotation, finalizer
 * or spec change (or by an API server that refused for its own reasons) is then absorbed in a
 * few milliseconds; a 409 because the status itself moved on is returned to the caller, whose
 * reconcile runs again on fresh data.
 *
 * <p>Without this, every status write of a reconcile had to land for the reconcile to succeed,
 * and a run of refusals pushed the fleet's next attempt out to the retry's 30 s ceiling (seen
 * with half of all status writes refused: a fleet Ready on the provider stayed not Ready in its
 * status for over a minute).
 */
final class StatusReplace {
  /** Attempts per write, the first included (client-go's DefaultRetry makes five). */
  static final int ATTEMPTS = 5;

  private StatusReplace() {}

  /**
   * PUTs {@code update} (metadata as read, the new status) to its status subresource.
   *
   * @param decidedFrom the status {@code update}'s new status was computed from (null if none)
   * @param statusOf reads the status of an object of this kind
   * @return the object as written
   * @throws KubernetesClientException a refusal that is not a conflict, a conflict on a status
   *     that changed, or the last conflict after {@link #ATTEMPTS} attempts
   */
  static <T extends HasMetadata> T replace(
      KubernetesClient client, T update, Object decidedFrom, Function<T, Object> statusOf) {
    for (int attempt = 1; ; attempt++) {
      try {
        return client.resource(update).updateStatus();
      } catch (KubernetesClientException e) {
        if (e.getCode() != HttpURLConnection.HTTP_CONFLICT || attempt >= ATTEMPTS) {
          throw e;
        }
        T latest = client.resource(update).get();
        if (latest == null || !Json.same(statusOf.apply(latest), decidedFrom)) {
          throw e;
        }
        update.getMetadata().setResourceVersion(latest.getMetadata().getResourceVersion());
      }
    }
  }
}
