package io.dustcloud.testing.gce;

import com.google.api.gax.core.NoCredentialsProvider;
import com.google.cloud.compute.v1.AddressesClient;
import com.google.cloud.compute.v1.AddressesSettings;
import com.google.cloud.compute.v1.FirewallsClient;
import com.google.cloud.compute.v1.FirewallsSettings;
import com.google.cloud.compute.v1.ForwardingRulesClient;
import com.google.cloud.compute.v1.ForwardingRulesSettings;
import com.google.cloud.compute.v1.InstanceGroupManagersClient;
import com.google.cloud.compute.v1.InstanceGroupManagersSettings;
import com.google.cloud.compute.v1.InstanceTemplatesClient;
import com.google.cloud.compute.v1.InstanceTemplatesSettings;
import com.google.cloud.compute.v1.InstancesClient;
import com.google.cloud.compute.v1.InstancesSettings;
import com.google.cloud.compute.v1.RegionBackendServicesClient;
import com.google.cloud.compute.v1.RegionBackendServicesSettings;
import com.google.cloud.compute.v1.RegionHealthChecksClient;
import com.google.cloud.compute.v1.RegionHealthChecksSettings;
import com.google.cloud.compute.v1.RegionInstanceGroupManagersClient;
import com.google.cloud.compute.v1.RegionInstanceGroupManagersSettings;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Google's own Compute clients (REST transport, no credentials) pointed at a fake, for tests
 * that check the fake speaks the wire protocol those clients send and read. Closing closes them.
 */
public final class FakeComputeClients implements AutoCloseable {
  public final InstanceTemplatesClient templates;
  public final InstanceGroupManagersClient groups;
  public final RegionInstanceGroupManagersClient regionGroups;
  public final InstancesClient instances;
  public final RegionHealthChecksClient healthChecks;
  public final RegionBackendServicesClient backendServices;
  public final AddressesClient addresses;
  public final ForwardingRulesClient forwardingRules;
  public final FirewallsClient firewalls;

  public FakeComputeClients(FakeCompute fake) {
    String endpoint = fake.endpoint();
    NoCredentialsProvider none = NoCredentialsProvider.create();
    try {
      templates = InstanceTemplatesClient.create(InstanceTemplatesSettings.newBuilder().setEndpoint(endpoint)
          .setCredentialsProvider(none).build());
      groups = InstanceGroupManagersClient.create(InstanceGroupManagersSettings.newBuilder().setEndpoint(endpoint)
          .setCredentialsProvider(none).build());
      regionGroups = RegionInstanceGroupManagersClient.create(RegionInstanceGroupManagersSettings.newBuilder()
          .setEndpoint(endpoint).setCredentialsProvider(none).build());
      instances = InstancesClient.create(InstancesSettings.newBuilder().setEndpoint(endpoint)
          .setCredentialsProvider(none).build());
      healthChecks = RegionHealthChecksClient.create(RegionHealthChecksSettings.newBuilder().setEndpoint(endpoint)
          .setCredentialsProvider(none).build());
      backendServices = RegionBackendServicesClient.create(RegionBackendServicesSettings.newBuilder()
          .setEndpoint(endpoint).setCredentialsProvider(none).build());
      addresses = AddressesClient.create(AddressesSettings.newBuilder().setEndpoint(endpoint)
          .setCredentialsProvider(none).build());
      forwardingRules = ForwardingRulesClient.create(ForwardingRulesSettings.newBuilder().setEndpoint(endpoint)
          .setCredentialsProvider(none).build());
      firewalls = FirewallsClient.create(FirewallsSettings.newBuilder().setEndpoint(endpoint)
          .setCredentialsProvider(none).build());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    templates.close();
    groups.close();
    regionGroups.close();
    instances.close();
    healthChecks.close();
    backendServices.close();
    addresses.close();
    forwardingRules.close();
    firewalls.close();
  }
}
