package io.dustcloud.provider.gce;

import static io.dustcloud.provider.gce.ClientCalls.found;

import com.google.cloud.compute.v1.Address;
import com.google.cloud.compute.v1.AddressesClient;
import com.google.cloud.compute.v1.AddressesSettings;
import com.google.cloud.compute.v1.BackendService;
import com.google.cloud.compute.v1.DeleteAddressRequest;
import com.google.cloud.compute.v1.DeleteFirewallRequest;
import com.google.cloud.compute.v1.DeleteForwardingRuleRequest;
import com.google.cloud.compute.v1.DeleteRegionBackendServiceRequest;
import com.google.cloud.compute.v1.DeleteRegionHealthCheckRequest;
import com.google.cloud.compute.v1.Firewall;
import com.google.cloud.compute.v1.FirewallsClient;
import com.google.cloud.compute.v1.FirewallsSettings;
import com.google.cloud.compute.v1.ForwardingRule;
import com.google.cloud.compute.v1.ForwardingRulesClient;
import com.google.cloud.compute.v1.ForwardingRulesSettings;
import com.google.cloud.compute.v1.HealthCheck;
import com.google.cloud.compute.v1.HealthStatus;
import com.google.cloud.compute.v1.InsertAddressRequest;
import com.google.cloud.compute.v1.InsertFirewallRequest;
import com.google.cloud.compute.v1.InsertForwardingRuleRequest;
import com.google.cloud.compute.v1.InsertRegionBackendServiceRequest;
import com.google.cloud.compute.v1.InsertRegionHealthCheckRequest;
import com.google.cloud.compute.v1.PatchFirewallRequest;
import com.google.cloud.compute.v1.PatchRegionBackendServiceRequest;
import com.google.cloud.compute.v1.PatchRegionHealthCheckRequest;
import com.google.cloud.compute.v1.RegionBackendServicesClient;
import com.google.cloud.compute.v1.RegionBackendServicesSettings;
import com.google.cloud.compute.v1.RegionHealthChecksClient;
import com.google.cloud.compute.v1.RegionHealthChecksSettings;
import com.google.cloud.compute.v1.ResourceGroupReference;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Optional;

/** {@link TrafficApi} over Google's clients, sharing {@link ClientComputeApi}'s transport. */
final class ClientTrafficApi implements TrafficApi, AutoCloseable {
  private final RegionHealthChecksClient checks;
  private final RegionBackendServicesClient services;
  private final AddressesClient addresses;
  private final ForwardingRulesClient rules;
  private final FirewallsClient firewalls;
  private final OperationLookup ops;

  ClientTrafficApi(ClientCalls.Setup setup, OperationLookup ops) throws IOException {
    this.ops = ops;
    checks = RegionHealthChecksClient.create(setup.configure(RegionHealthChecksSettings.newBuilder()).applyToAllUnaryMethods(ClientCalls.NO_RETRIES).build());
    services = RegionBackendServicesClient.create(setup.configure(RegionBackendServicesSettings.newBuilder()).applyToAllUnaryMethods(ClientCalls.NO_RETRIES).build());
    addresses = AddressesClient.create(setup.configure(AddressesSettings.newBuilder()).applyToAllUnaryMethods(ClientCalls.NO_RETRIES).build());
    rules = ForwardingRulesClient.create(setup.configure(ForwardingRulesSettings.newBuilder()).applyToAllUnaryMethods(ClientCalls.NO_RETRIES).build());
    firewalls = FirewallsClient.create(setup.configure(FirewallsSettings.newBuilder()).applyToAllUnaryMethods(ClientCalls.NO_RETRIES).build());
  }

  static ClientTrafficApi create(ClientCalls.Setup setup, OperationLookup ops) {
    try {
      return new ClientTrafficApi(setup, ops);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the Compute traffic clients: " + e.getMessage(), e);
    }
  }

  @Override
  public Optional<HealthCheck> getHealthCheck(String project, String region, String name) {
    return found(() -> checks.get(project, region, name));
  }

  @Override
  public void insertHealthCheck(String project, String region, HealthCheck check, String requestId) {
    ops.await(checks.insertCallable().call(InsertRegionHealthCheckRequest.newBuilder().setProject(project).setRegion(region)
        .setHealthCheckResource(check).setRequestId(requestId).build()));
  }

  @Override
  public void patchHealthCheck(String project, String region, String name, HealthCheck check, String requestId) {
    ops.await(checks.patchCallable().call(PatchRegionHealthCheckRequest.newBuilder().setProject(project).setRegion(region)
        .setHealthCheck(name).setHealthCheckResource(check).setRequestId(requestId).build()));
  }

  @Override
  public void deleteHealthCheck(String project, String region, String name, String requestId) {
    ops.await(checks.deleteCallable().call(DeleteRegionHealthCheckRequest.newBuilder().setProject(project).setRegion(region)
        .setHealthCheck(name).setRequestId(requestId).build()));
  }

  @Override
  public Optional<BackendService> getBackendService(String project, String region, String name) {
    return found(() -> services.get(project, region, name));
  }

  @Override
  public void insertBackendService(String project, String region, BackendService service, String requestId) {
    ops.await(services.insertCallable().call(InsertRegionBackendServiceRequest.newBuilder().setProject(project).setRegion(region)
        .setBackendServiceResource(service).setRequestId(requestId).build()));
  }

  @Override
  public void patchBackendService(String project, String region, String name, BackendService service,
      String requestId) {
    ops.await(services.patchCallable().call(PatchRegionBackendServiceRequest.newBuilder().setProject(project).setRegion(region)
        .setBackendService(name).setBackendServiceResource(service).setRequestId(requestId).build()));
  }

  @Override
  public void deleteBackendService(String project, String region, String name, String requestId) {
    ops.await(services.deleteCallable().call(DeleteRegionBackendServiceRequest.newBuilder().setProject(project).setRegion(region)
        .setBackendService(name).setRequestId(requestId).build()));
  }

  @Override
  public List<HealthStatus> backendHealth(String project, String region, String name, String groupUrl) {
    return found(() -> services.getHealth(project, region, name,
            ResourceGroupReference.newBuilder().setGroup(groupUrl).build()).getHealthStatusList())
        .orElse(List.of());
  }

  @Override
  public Optional<Address> getAddress(String project, String region, String name) {
    return found(() -> addresses.get(project, region, name));
  }

  @Override
  public void insertAddress(String project, String region, Address address, String requestId) {
    ops.await(addresses.insertCallable().call(InsertAddressRequest.newBuilder().setProject(project).setRegion(region)
        .setAddressResource(address).setRequestId(requestId).build()));
  }

  @Override
  public void deleteAddress(String project, String region, String name, String requestId) {
    ops.await(addresses.deleteCallable().call(DeleteAddressRequest.newBuilder().setProject(project).setRegion(region)
        .setAddress(name).setRequestId(requestId).build()));
  }

  @Override
  public Optional<ForwardingRule> getForwardingRule(String project, String region, String name) {
    return found(() -> rules.get(project, region, name));
  }

  @Override
  public void insertForwardingRule(String project, String region, ForwardingRule rule, String requestId) {
    ops.await(rules.insertCallable().call(InsertForwardingRuleRequest.newBuilder().setProject(project).setRegion(region)
        .setForwardingRuleResource(rule).setRequestId(requestId).build()));
  }

  @Override
  public void deleteForwardingRule(String project, String region, String name, String requestId) {
    ops.await(rules.deleteCallable().call(DeleteForwardingRuleRequest.newBuilder().setProject(project).setRegion(region)
        .setForwardingRule(name).setRequestId(requestId).build()));
  }

  @Override
  public Optional<Firewall> getFirewall(String project, String name) {
    return found(() -> firewalls.get(project, name));
  }

  @Override
  public void insertFirewall(String project, Firewall firewall, String requestId) {
    ops.await(firewalls.insertCallable().call(InsertFirewallRequest.newBuilder().setProject(project)
        .setFirewallResource(firewall).setRequestId(requestId).build()));
  }

  @Override
  public void patchFirewall(String project, String name, Firewall firewall, String requestId) {
    ops.await(firewalls.patchCallable().call(PatchFirewallRequest.newBuilder().setProject(project).setFirewall(name)
        .setFirewallResource(firewall).setRequestId(requestId).build()));
  }

  @Override
  public void deleteFirewall(String project, String name, String requestId) {
    ops.await(firewalls.deleteCallable().call(DeleteFirewallRequest.newBuilder().setProject(project).setFirewall(name)
        .setRequestId(requestId).build()));
  }

  @Override
  public void close() {
    checks.close();
    services.close();
    addresses.close();
    rules.close();
    firewalls.close();
  }
}
