package io.dustcloud.testing;

import io.dustcloud.provider.DesiredFleet;
import io.dustcloud.provider.FleetId;
import io.dustcloud.provider.FleetObservation;
import io.dustcloud.provider.FleetProvider;
import io.dustcloud.provider.ProviderSettings;
import io.dustcloud.provider.RevisionImage;
import java.util.Collection;
import java.util.Set;

/** A provider that forwards every call to another; tests override the calls they script. */
public abstract class ForwardingFleetProvider implements FleetProvider {
  protected final FleetProvider delegate;

  protected ForwardingFleetProvider(FleetProvider delegate) {
    this.delegate = delegate;
  }

  @Override
  public String name() {
    return delegate.name();
  }

  @Override
  public String unsupportedReason(RevisionImage image) {
    return delegate.unsupportedReason(image);
  }

  @Override
  public io.dustcloud.provider.Unsupported unsupported(RevisionImage image) {
    return delegate.unsupported(image);
  }

  @Override
  public void locate(FleetId fleet, ProviderSettings settings) {
    delegate.locate(fleet, settings);
  }

  @Override
  public String runtime(FleetId fleet, String instanceId) {
    return delegate.runtime(fleet, instanceId);
  }

  @Override
  public FleetObservation observe(FleetId fleet) {
    return delegate.observe(fleet);
  }

  @Override
  public FleetObservation realize(DesiredFleet desired) {
    return delegate.realize(desired);
  }

  @Override
  public void replace(FleetId fleet, Collection<String> instanceIds) {
    delegate.replace(fleet, instanceIds);
  }

  @Override
  public java.util.List<String> consoleTail(FleetId fleet, String instanceId, int lines, int bytes) {
    return delegate.consoleTail(fleet, instanceId, lines, bytes);
  }

  @Override
  public void updateReady(FleetId fleet, Set<String> readyInstanceIds) {
    delegate.updateReady(fleet, readyInstanceIds);
  }

  @Override
  public boolean routesOnlyToNamedInstances() {
    return delegate.routesOnlyToNamedInstances();
  }

  @Override
  public boolean deleteRevision(FleetId fleet, String revision) {
    return delegate.deleteRevision(fleet, revision);
  }

  @Override
  public void delete(FleetId fleet) {
    delegate.delete(fleet);
  }

  @Override
  public void release(FleetId fleet) {
    delegate.release(fleet);
  }

  @Override
  public void close() {
    delegate.close();
  }
}
