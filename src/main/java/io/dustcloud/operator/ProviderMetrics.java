package io.dustcloud.operator;

import io.dustcloud.provider.DesiredFleet;
import io.dustcloud.provider.FleetId;
import io.dustcloud.provider.FleetObservation;
import io.dustcloud.provider.FleetProvider;
import io.dustcloud.provider.ProviderException;
import io.dustcloud.provider.RevisionImage;
import io.dustcloud.provider.Unsupported;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Collection;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Times and counts every provider SPI call that reaches a backend:
 * {@code dustcloud_provider_calls_total{provider,method,outcome}} and
 * {@code dustcloud_provider_call_duration_seconds{provider,method}} (a histogram). Outcomes:
 * {@code success}, {@code retryable_error} (a {@link ProviderException} that a later attempt may
 * pass, such as a rate limit), {@code error} (any other failure).
 */
public final class ProviderMetrics implements FleetProvider {
  public static final String CALLS = "dustcloud_provider_calls";
  public static final String DURATION = "dustcloud_provider_call_duration";

  private final FleetProvider delegate;
  private final MeterRegistry registry;

  public ProviderMetrics(FleetProvider delegate, MeterRegistry registry) {
    this.delegate = delegate;
    this.registry = registry;
  }

  @Override
  public String name() {
    return delegate.name();
  }

  @Override
  public String unsupportedReason(RevisionImage image) {
    return delegate.unsupportedReason(image); // a local check, not a backend call
  }

  @Override
  public Unsupported unsupported(RevisionImage image) {
    return delegate.unsupported(image); // the delegate's reason, not the default's
  }

  @Override
  public String runtime(FleetId fleet, String instanceId) {
    return delegate.runtime(fleet, instanceId); // a lookup, not a backend call
  }

  @Override
  public FleetObservation observe(FleetId fleet) {
    return timed("observe", () -> delegate.observe(fleet));
  }

  @Override
  public FleetObservation realize(DesiredFleet desired) {
    return timed("realize", () -> delegate.realize(desired));
  }

  @Override
  public void replace(FleetId fleet, Collection<String> instanceIds) {
    timed("replace", () -> {
      delegate.replace(fleet, instanceIds);
      return null;
    });
  }

  @Override
  public java.util.List<String> consoleTail(FleetId fleet, String instanceId, int lines, int bytes) {
    return timed("consoleTail", () -> delegate.consoleTail(fleet, instanceId, lines, bytes));
  }

  @Override
  public void updateReady(FleetId fleet, Set<String> readyInstanceIds) {
    timed("updateReady", () -> {
      delegate.updateReady(fleet, readyInstanceIds);
      return null;
    });
  }

  @Override
  public boolean routesOnlyToNamedInstances() {
    return delegate.routesOnlyToNamedInstances();
  }

  @Override
  public void delete(FleetId fleet) {
    timed("delete", () -> {
      delegate.delete(fleet);
      return null;
    });
  }

  @Override
  public void release(FleetId fleet) {
    timed("release", () -> {
      delegate.release(fleet);
      return null;
    });
  }

  @Override
  public boolean deleteRevision(FleetId fleet, String revision) {
    return timed("deleteRevision", () -> delegate.deleteRevision(fleet, revision));
  }

  @Override
  public void locate(FleetId fleet, io.dustcloud.provider.ProviderSettings settings) {
    // local bookkeeping, not an API call: not timed
    delegate.locate(fleet, settings);
  }

  @Override
  public void close() {
    delegate.close();
  }

  private <T> T timed(String method, Supplier<T> call) {
    long start = System.nanoTime();
    String outcome = "error";
    try {
      T result = call.get();
      outcome = "success";
      return result;
    } catch (ProviderException e) {
      outcome = e.retryable() ? "retryable_error" : "error";
      throw e;
    } finally {
      Timer.builder(DURATION)
          .description("Duration of provider calls")
          .tags("provider", delegate.name(), "method", method)
          .publishPercentileHistogram()
          .register(registry)
          .record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
      Counter.builder(CALLS)
          .description("Provider calls by method and outcome")
          .tags("provider", delegate.name(), "method", method, "outcome", outcome)
          .register(registry)
          .increment();
    }
  }
}
