package io.dustcloud.provider.gce;

import io.dustcloud.core.Reason;
import io.dustcloud.provider.ProviderSettings;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A revision's {@code provider.gce} settings as this provider reads them. The defaults live
 * here, in the compact constructor: an unset machine type is {@value #DEFAULT_MACHINE_TYPE}, an
 * unset network {@value #DEFAULT_NETWORK}, unset tags and labels empty. Whether the location is
 * complete (a project and exactly one of zone or region) is {@link GceLocation}'s check, so an
 * incomplete one can be reported as a reason rather than thrown at construction.
 *
 * @param tags network tags on the instances (blank ones dropped)
 * @param labels user labels on every GCE resource, besides dustcloud's own
 * @param loadBalancer the fleet's load balancer (fleet-level: only the Unikernel's current
 *     settings count, revisions carry none)
 */
public record GceSettings(
    String project,
    String zone,
    String region,
    String machineType,
    String network,
    String subnetwork,
    String serviceAccount,
    List<String> tags,
    Map<String, String> labels,
    LoadBalancerSettings loadBalancer)
    implements ProviderSettings {
  public static final String DEFAULT_MACHINE_TYPE = "e2-micro";
  public static final String DEFAULT_NETWORK = "default";

  public GceSettings {
    machineType = machineType == null ? DEFAULT_MACHINE_TYPE : machineType;
    network = network == null ? DEFAULT_NETWORK : network;
    tags = tags == null ? List.of() : tags.stream().filter(t -> t != null && !t.isBlank()).toList();
    labels = labels == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(labels));
    loadBalancer = loadBalancer == null ? LoadBalancerSettings.DEFAULT : loadBalancer;
  }

  /** The settings before load balancers existed (tests, old revisions). */
  public GceSettings(String project, String zone, String region, String machineType, String network,
      String subnetwork, String serviceAccount, List<String> tags, Map<String, String> labels) {
    this(project, zone, region, machineType, network, subnetwork, serviceAccount, tags, labels, null);
  }

  /** Settings with a location and every other field at its default. */
  public static GceSettings at(String project, String zone, String region) {
    return new GceSettings(project, zone, region, null, null, null, null, null, null);
  }

  /** {@code settings} as GCE settings; settings of another provider are a configuration error. */
  public static GceSettings of(ProviderSettings settings) {
    return ProviderSettings.as(settings, GceSettings.class, "gce", Reason.INVALID_GCE_SETTINGS);
  }
}
