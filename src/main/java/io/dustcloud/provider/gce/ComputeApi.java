package io.dustcloud.provider.gce;

import com.google.cloud.compute.v1.Image;
import com.google.cloud.compute.v1.InstanceGroupManager;
import com.google.cloud.compute.v1.InstanceTemplate;
import com.google.cloud.compute.v1.ManagedInstance;
import java.util.List;
import java.util.Optional;

/**
 * The Compute calls the provider makes, one method per call. Mutating calls carry the
 * caller's requestId and return once their operation is done; failures are thrown as the
 * client throws them (classified by {@link GceError}). Reads answer empty for 404.
 */
public interface ComputeApi extends AutoCloseable {
  Optional<InstanceGroupManager> getGroup(GceLocation at, String name);

  void insertGroup(GceLocation at, InstanceGroupManager group, String requestId);

  void patchGroup(GceLocation at, String name, InstanceGroupManager patch, String requestId);

  void resizeGroup(GceLocation at, String name, int size, String requestId);

  void deleteGroup(GceLocation at, String name, String requestId);

  List<ManagedInstance> listManagedInstances(GceLocation at, String group);

  /**
   * The managed instance groups of the project, zonal and regional, from one aggregated listing
   * (one request per page of 500) matching {@code filter} (GCE's filter syntax; empty for all).
   */
  List<InstanceGroupManager> listAllGroups(String project, String filter);

  void recreateInstances(GceLocation at, String group, List<String> instanceUrls, String requestId);

  /**
   * The last {@code lastBytes} of the serial console output (port 1) of the instance at
   * {@code instanceUrl} (GCE: a negative {@code start}, so no more than that crosses the wire);
   * empty when the instance is gone. Read for the Event of an instance that failed, once per
   * restart.
   */
  default String serialPortOutput(String instanceUrl, int lastBytes) {
    return "";
  }

  /**
   * Removes the instances from the group and lowers its target size by as many; instances not
   * (or no longer) in the group are skipped. With connection draining on the group's backend
   * service, GCE stops new connections at once and deletes each VM after the draining time.
   */
  void deleteInstances(GceLocation at, String group, List<String> instanceUrls, String requestId);

  /**
   * The VMs matching {@code filter} where the group lives (a zone, or every zone of a region in
   * one aggregated call): their ids and internal addresses, which the group's listing lacks.
   */
  List<com.google.cloud.compute.v1.Instance> listInstances(GceLocation at, String filter);

  /** The calls of fleets' traffic paths (load balancers and firewalls). */
  TrafficApi traffic();

  Optional<InstanceTemplate> getTemplate(String project, String name);

  void insertTemplate(String project, InstanceTemplate template, String requestId);

  void deleteTemplate(String project, String name, String requestId);

  List<InstanceTemplate> listTemplates(String project, String filter);

  void insertImage(String project, Image image, String requestId);

  /** The image, with its {@code status} (PENDING while it imports, READY, FAILED); empty for 404. */
  Optional<Image> getImage(String project, String name);

  void deleteImage(String project, String name, String requestId);

  List<Image> listImages(String project, String filter);

  @Override
  default void close() {}

  /**
   * The group's recent errors, newest first ({@code listErrors}: one per failed instance action,
   * e.g. each failed attempt to create a VM, with GCE's code and message), at most {@code max}:
   * one page, never more. Empty when the group is gone. Read only when the group's listing
   * cannot say why instances are missing ({@link GroupErrors}).
   */
  default List<com.google.cloud.compute.v1.InstanceManagedByIgmError> listErrors(GceLocation at, String group,
      int max) {
    return List.of();
  }
}
