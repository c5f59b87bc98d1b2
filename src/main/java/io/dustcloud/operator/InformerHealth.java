package io.dustcloud.operator;

import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.javaoperatorsdk.operator.api.config.InformerStoppedHandler;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What happens when one of JOSDK's informers stops. JOSDK's default exits the JVM when an informer
 * that had synced stops with an error — it did for one object it could not read. Now objects no
 * longer fail to read ({@link io.dustcloud.api.v1alpha1.LenientReader}) and fabric8 retries a
 * failed list or a dropped watch itself, so an informer that still stops is rare and lasting: it
 * is logged, and the operator reports not ready ({@code /readyz} 503) while its supervisors keep
 * the fleets running, rather than ending the process and with it the local provider's instances.
 */
public final class InformerHealth implements InformerStoppedHandler {
  private static final Logger log = LoggerFactory.getLogger(InformerHealth.class);
  private final AtomicReference<String> stopped = new AtomicReference<>();
  private final BooleanSupplier closing;

  /** @param closing true while the operator is being closed: informers then stop on purpose */
  public InformerHealth(BooleanSupplier closing) {
    this.closing = closing;
  }

  @Override
  @SuppressWarnings("rawtypes")
  public void onStop(SharedIndexInformer informer, Throwable error) {
    // stopped without an error: the operator (or a controller) is being stopped
    if (error == null || closing.getAsBoolean()) {
      return;
    }
    String kind = informer.getApiTypeClass().getSimpleName();
    stopped.compareAndSet(null, kind);
    log.error("the {} informer stopped: {}; the operator stays up but reports not ready (/readyz) until it is"
        + " restarted", kind, error.toString(), error);
  }

  public boolean healthy() {
    return stopped.get() == null;
  }

  /** The kind of the first informer that stopped with an error, if any. */
  public Optional<String> stopped() {
    return Optional.ofNullable(stopped.get());
  }
}
