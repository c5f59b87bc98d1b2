package io.dustcloud.provider.gce;

import com.google.cloud.compute.v1.Address;
import com.google.cloud.compute.v1.BackendService;
import com.google.cloud.compute.v1.Firewall;
import com.google.cloud.compute.v1.ForwardingRule;
import com.google.cloud.compute.v1.HealthCheck;
import com.google.cloud.compute.v1.HealthStatus;
import java.util.List;
import java.util.Optional;

/**
 * The Compute calls of a fleet's traffic path: its regional health check, backend service,
 * address and forwarding rule, and its firewall rules. Same contract as {@link ComputeApi}:
 * mutating calls carry the caller's requestId and return once their operation is done; reads
 * answer empty for 404.
 */
public interface TrafficApi {
  Optional<HealthCheck> getHealthCheck(String project, String region, String name);

  void insertHealthCheck(String project, String region, HealthCheck check, String requestId);

  void patchHealthCheck(String project, String region, String name, HealthCheck check, String requestId);

  void deleteHealthCheck(String project, String region, String name, String requestId);

  Optional<BackendService> getBackendService(String project, String region, String name);

  void insertBackendService(String project, String region, BackendService service, String requestId);

  void patchBackendService(String project, String region, String name, BackendService service, String requestId);

  void deleteBackendService(String project, String region, String name, String requestId);

  /** The load balancer's view of each instance of {@code groupUrl} behind backend service {@code name}. */
  List<HealthStatus> backendHealth(String project, String region, String name, String groupUrl);

  Optional<Address> getAddress(String project, String region, String name);

  void insertAddress(String project, String region, Address address, String requestId);

  void deleteAddress(String project, String region, String name, String requestId);

  Optional<ForwardingRule> getForwardingRule(String project, String region, String name);

  void insertForwardingRule(String project, String region, ForwardingRule rule, String requestId);

  void deleteForwardingRule(String project, String region, String name, String requestId);

  Optional<Firewall> getFirewall(String project, String name);

  void insertFirewall(String project, Firewall firewall, String requestId);

  void patchFirewall(String project, String name, Firewall firewall, String requestId);

  void deleteFirewall(String project, String name, String requestId);
}
