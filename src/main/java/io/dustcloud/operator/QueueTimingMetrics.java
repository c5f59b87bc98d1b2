package io.dustcloud.operator;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.javaoperatorsdk.operator.api.reconciler.RetryInfo;
import io.javaoperatorsdk.operator.processing.Controller;
import io.javaoperatorsdk.operator.processing.event.Event;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * JOSDK's metrics plus {@code dustcloud_reconcile_queue_seconds}: how long a Unikernel waited
 * between the first event that asked for a reconcile and the start of that reconcile (queueing
 * behind busy workers, not the reconcile itself). Events arriving while one is already
 * pending are folded into it, as JOSDK folds them.
 */
public final class QueueTimingMetrics implements Metrics {
  static final String QUEUE_TIMER = "dustcloud.reconcile.queue";
  private final Metrics delegate;
  private final Timer queue;
  private final Map<ResourceID, Long> pendingSince = new ConcurrentHashMap<>();

  public QueueTimingMetrics(Metrics delegate, MeterRegistry registry) {
    this.delegate = delegate;
    this.queue = Timer.builder(QUEUE_TIMER)
        .description("time from the event that triggered a reconcile to the start of that reconcile")
        .publishPercentiles(0.5, 0.95, 0.99)
        .register(registry);
  }

  public Timer queue() {
    return queue;
  }

  @Override
  public void controllerRegistered(Controller<? extends HasMetadata> controller) {
    delegate.controllerRegistered(controller);
  }

  @Override
  public void receivedEvent(Event event, Map<String, Object> metadata) {
    pendingSince.putIfAbsent(event.getRelatedCustomResourceID(), System.nanoTime());
    delegate.receivedEvent(event, metadata);
  }

  @Override
  public void reconcileCustomResource(HasMetadata resource, RetryInfo retryInfo, Map<String, Object> metadata) {
    delegate.reconcileCustomResource(resource, retryInfo, metadata);
  }

  @Override
  public void failedReconciliation(HasMetadata resource, Exception exception, Map<String, Object> metadata) {
    delegate.failedReconciliation(resource, exception, metadata);
  }

  @Override
  public void reconciliationExecutionStarted(HasMetadata resource, Map<String, Object> metadata) {
    Long since = pendingSince.remove(ResourceID.fromResource(resource));
    if (since != null) {
      queue.record(Duration.ofNanos(System.nanoTime() - since));
    }
    delegate.reconciliationExecutionStarted(resource, metadata);
  }

  @Override
  public void reconciliationExecutionFinished(HasMetadata resource, Map<String, Object> metadata) {
    delegate.reconciliationExecutionFinished(resource, metadata);
  }

  @Override
  public void cleanupDoneFor(ResourceID resourceID, Map<String, Object> metadata) {
    pendingSince.remove(resourceID);
    delegate.cleanupDoneFor(resourceID, metadata);
  }

  @Override
  public void finishedReconciliation(HasMetadata resource, Map<String, Object> metadata) {
    delegate.finishedReconciliation(resource, metadata);
  }

  @Override
  public <T> T timeControllerExecution(ControllerExecution<T> execution) throws Exception {
    return delegate.timeControllerExecution(execution);
  }

  @Override
  public <T extends Map<?, ?>> T monitorSizeOf(T map, String name) {
    return delegate.monitorSizeOf(map, name);
  }
}
