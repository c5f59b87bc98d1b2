package io.dustcloud.provider.gce;

import static io.dustcloud.provider.gce.ClientCalls.found;

import com.google.api.gax.core.CredentialsProvider;
import com.google.api.gax.rpc.NotFoundException;
import com.google.cloud.compute.v1.DeleteImageRequest;
import com.google.cloud.compute.v1.DeleteInstanceGroupManagerRequest;
import com.google.cloud.compute.v1.DeleteInstanceTemplateRequest;
import com.google.cloud.compute.v1.DeleteRegionInstanceGroupManagerRequest;
import com.google.cloud.compute.v1.Image;
import com.google.cloud.compute.v1.ImagesClient;
import com.google.cloud.compute.v1.ImagesSettings;
import com.google.cloud.compute.v1.InsertImageRequest;
import com.google.cloud.compute.v1.InsertInstanceGroupManagerRequest;
import com.google.cloud.compute.v1.InsertInstanceTemplateRequest;
import com.google.cloud.compute.v1.InsertRegionInstanceGroupManagerRequest;
import com.google.cloud.compute.v1.InstanceGroupManager;
import com.google.cloud.compute.v1.InstanceGroupManagersClient;
import com.google.cloud.compute.v1.InstanceGroupManagersRecreateInstancesRequest;
import com.google.cloud.compute.v1.InstanceGroupManagersSettings;
import com.google.cloud.compute.v1.InstanceTemplate;
import com.google.cloud.compute.v1.InstanceTemplatesClient;
import com.google.cloud.compute.v1.InstanceTemplatesSettings;
import com.google.cloud.compute.v1.ListImagesRequest;
import com.google.cloud.compute.v1.ListInstanceTemplatesRequest;
import com.google.cloud.compute.v1.ListManagedInstancesInstanceGroupManagersRequest;
import com.google.cloud.compute.v1.ListManagedInstancesRegionInstanceGroupManagersRequest;
import com.google.cloud.compute.v1.ManagedInstance;
import com.google.cloud.compute.v1.PatchInstanceGroupManagerRequest;
import com.google.cloud.compute.v1.PatchRegionInstanceGroupManagerRequest;
import com.google.cloud.compute.v1.RecreateInstancesInstanceGroupManagerRequest;
import com.google.cloud.compute.v1.RecreateInstancesRegionInstanceGroupManagerRequest;
import com.google.cloud.compute.v1.RegionInstanceGroupManagersClient;
import com.google.cloud.compute.v1.RegionInstanceGroupManagersRecreateRequest;
import com.google.cloud.compute.v1.RegionInstanceGroupManagersSettings;
import com.google.cloud.compute.v1.ResizeInstanceGroupManagerRequest;
import com.google.cloud.compute.v1.ResizeRegionInstanceGroupManagerRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@link ComputeApi} over Google's {@code google-cloud-compute} client (REST transport). The
 * endpoint and credentials come from {@link GceConfig}: Application Default Credentials and
 * Google's endpoint unless set.
 */
public final class ClientComputeApi implements ComputeApi {
  private final ImagesClient images;
  private final InstanceTemplatesClient templates;
  private final InstanceGroupManagersClient zonal;
  private final RegionInstanceGroupManagersClient regional;
  private final com.google.cloud.compute.v1.InstancesClient vms;
  private final ClientTrafficApi traffic;
  private final OperationLookup ops;

  /**
   * The REST transport runs each call on a thread of this pool. Left to itself every client
   * makes its own, of 50 threads per CPU (800 threads for four clients on four CPUs, all
   * started as calls come in, none ever stopped); calls here come from the reconcile workers,
   * the background listings and repairs, a few dozen at once at most, so one shared pool of
   * that size serves them and a larger burst waits its turn.
   */
  static final int TRANSPORT_THREADS = 64;
  private final java.util.concurrent.ScheduledExecutorService transport;
  private final ClientCalls.Setup setup;

  public ClientComputeApi(String endpoint, CredentialsProvider credentials) {
    java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
    transport = java.util.concurrent.Executors.newScheduledThreadPool(TRANSPORT_THREADS, task -> {
      Thread thread = new Thread(task, "gce-http-" + n.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    });
    setup = ClientCalls.Setup.of(transport, endpoint, credentials);
    try {
      images = ImagesClient.create(setup.configure(ImagesSettings.newBuilder())
          .applyToAllUnaryMethods(ClientCalls.NO_RETRIES).build());
      templates = InstanceTemplatesClient.create(setup.configure(InstanceTemplatesSettings.newBuilder())
          .applyToAllUnaryMethods(ClientCalls.NO_RETRIES).build());
      zonal = InstanceGroupManagersClient.create(setup.configure(InstanceGroupManagersSettings.newBuilder())
          .applyToAllUnaryMethods(ClientCalls.NO_RETRIES).build());
      regional = RegionInstanceGroupManagersClient.create(setup.configure(RegionInstanceGroupManagersSettings.newBuilder())
          .applyToAllUnaryMethods(ClientCalls.NO_RETRIES).build());
      vms = com.google.cloud.compute.v1.InstancesClient.create(setup.configure(
          com.google.cloud.compute.v1.InstancesSettings.newBuilder()).applyToAllUnaryMethods(ClientCalls.NO_RETRIES).build());
      ops = new OperationLookup(setup);
      traffic = ClientTrafficApi.create(setup, ops);
    } catch (IOException e) {
      transport.shutdownNow();
      throw new UncheckedIOException("cannot create the Compute clients: " + e.getMessage(), e);
    }
  }

  /**
   * HTTP requests sent so far by every client here: more than the logical calls, since a
   * listing may take several pages and an operation several polls. The call budget settles
   * against it.
   */
  public long requests() {
    return setup.requests().get();
  }

  @Override
  public Optional<InstanceGroupManager> getGroup(GceLocation at, String name) {
    return found(() -> at.regional()
        ? regional.get(at.project(), at.region(), name)
        : zonal.get(at.project(), at.zone(), name));
  }

  @Override
  public void insertGroup(GceLocation at, InstanceGroupManager group, String requestId) {
    ops.await(at.regional()
        ? regional.insertCallable().call(InsertRegionInstanceGroupManagerRequest.newBuilder().setProject(at.project())
            .setRegion(at.region()).setInstanceGroupManagerResource(group).setRequestId(requestId).build())
        : zonal.insertCallable().call(InsertInstanceGroupManagerRequest.newBuilder().setProject(at.project())
            .setZone(at.zone()).setInstanceGroupManagerResource(group).setRequestId(requestId).build()));
  }

  @Override
  public void patchGroup(GceLocation at, String name, InstanceGroupManager patch, String requestId) {
    ops.await(at.regional()
        ? regional.patchCallable().call(PatchRegionInstanceGroupManagerRequest.newBuilder().setProject(at.project())
            .setRegion(at.region()).setInstanceGroupManager(name).setInstanceGroupManagerResource(patch)
            .setRequestId(requestId).build())
        : zonal.patchCallable().call(PatchInstanceGroupManagerRequest.newBuilder().setProject(at.project())
            .setZone(at.zone()).setInstanceGroupManager(name).setInstanceGroupManagerResource(patch)
            .setRequestId(requestId).build()));
  }

  @Override
  public void resizeGroup(GceLocation at, String name, int size, String requestId) {
    ops.await(at.regional()
        ? regional.resizeCallable().call(ResizeRegionInstanceGroupManagerRequest.newBuilder().setProject(at.project())
            .setRegion(at.region()).setInstanceGroupManager(name).setSize(size).setRequestId(requestId).build())
        : zonal.resizeCallable().call(ResizeInstanceGroupManagerRequest.newBuilder().setProject(at.project())
            .setZone(at.zone()).setInstanceGroupManager(name).setSize(size).setRequestId(requestId).build()));
  }

  @Override
  public void deleteGroup(GceLocation at, String name, String requestId) {
    ops.await(at.regional()
        ? regional.deleteCallable().call(DeleteRegionInstanceGroupManagerRequest.newBuilder().setProject(at.project())
            .setRegion(at.region()).setInstanceGroupManager(name).setRequestId(requestId).build())
        : zonal.deleteCallable().call(DeleteInstanceGroupManagerRequest.newBuilder().setProject(at.project())
            .setZone(at.zone()).setInstanceGroupManager(name).setRequestId(requestId).build()));
  }

  @Override
  public String serialPortOutput(String instanceUrl, int lastBytes) {
    // .../projects/P/zones/Z/instances/NAME
    String[] parts = instanceUrl.split("/");
    int p = java.util.Arrays.asList(parts).indexOf("projects");
    if (p < 0 || parts.length < p + 6) {
      return "";
    }
    try {
      return vms.getSerialPortOutput(com.google.cloud.compute.v1.GetSerialPortOutputInstanceRequest.newBuilder()
          .setProject(parts[p + 1]).setZone(parts[p + 3]).setInstance(parts[p + 5]).setPort(1)
          .setStart(-Math.max(1, lastBytes)).build()).getContents();
    } catch (NotFoundException e) {
      return "";
    }
  }

  @Override
  public List<ManagedInstance> listManagedInstances(GceLocation at, String group) {
    List<ManagedInstance> out = new ArrayList<>();
    try {
      listManagedInstances(at, group, out);
    } catch (NotFoundException e) {
      return List.of();
    }
    return out;
  }

  private void listManagedInstances(GceLocation at, String group, List<ManagedInstance> out) {
    if (at.regional()) {
      regional.listManagedInstances(ListManagedInstancesRegionInstanceGroupManagersRequest.newBuilder()
          .setProject(at.project()).setRegion(at.region()).setInstanceGroupManager(group).build())
          .iterateAll().forEach(out::add);
    } else {
      zonal.listManagedInstances(ListManagedInstancesInstanceGroupManagersRequest.newBuilder()
          .setProject(at.project()).setZone(at.zone()).setInstanceGroupManager(group).build())
          .iterateAll().forEach(out::add);
    }
  }

  @Override
  public List<InstanceGroupManager> listAllGroups(String project, String filter) {
    List<InstanceGroupManager> out = new ArrayList<>();
    zonal.aggregatedList(com.google.cloud.compute.v1.AggregatedListInstanceGroupManagersRequest.newBuilder()
            .setProject(project).setFilter(filter).build())
        .iterateAll().forEach(e -> out.addAll(e.getValue().getInstanceGroupManagersList()));
    return out;
  }

  @Override
  public void recreateInstances(GceLocation at, String group, List<String> instanceUrls, String requestId) {
    ops.await(at.regional()
        ? regional.recreateInstancesCallable().call(RecreateInstancesRegionInstanceGroupManagerRequest.newBuilder()
            .setProject(at.project()).setRegion(at.region()).setInstanceGroupManager(group).setRequestId(requestId)
            .setRegionInstanceGroupManagersRecreateRequestResource(
                RegionInstanceGroupManagersRecreateRequest.newBuilder().addAllInstances(instanceUrls)).build())
        : zonal.recreateInstancesCallable().call(RecreateInstancesInstanceGroupManagerRequest.newBuilder()
            .setProject(at.project()).setZone(at.zone()).setInstanceGroupManager(group).setRequestId(requestId)
            .setInstanceGroupManagersRecreateInstancesRequestResource(
                InstanceGroupManagersRecreateInstancesRequest.newBuilder().addAllInstances(instanceUrls)).build()));
  }

  @Override
  public void deleteInstances(GceLocation at, String group, List<String> instanceUrls, String requestId) {
    ops.await(at.regional()
        ? regional.deleteInstancesCallable().call(com.google.cloud.compute.v1.DeleteInstancesRegionInstanceGroupManagerRequest
            .newBuilder().setProject(at.project()).setRegion(at.region()).setInstanceGroupManager(group)
            .setRequestId(requestId).setRegionInstanceGroupManagersDeleteInstancesRequestResource(
                com.google.cloud.compute.v1.RegionInstanceGroupManagersDeleteInstancesRequest.newBuilder()
                    .addAllInstances(instanceUrls).setSkipInstancesOnValidationError(true)).build())
        : zonal.deleteInstancesCallable().call(com.google.cloud.compute.v1.DeleteInstancesInstanceGroupManagerRequest
            .newBuilder().setProject(at.project()).setZone(at.zone()).setInstanceGroupManager(group)
            .setRequestId(requestId).setInstanceGroupManagersDeleteInstancesRequestResource(
                com.google.cloud.compute.v1.InstanceGroupManagersDeleteInstancesRequest.newBuilder()
                    .addAllInstances(instanceUrls).setSkipInstancesOnValidationError(true)).build()));
  }

  @Override
  public List<com.google.cloud.compute.v1.Instance> listInstances(GceLocation at, String filter) {
    List<com.google.cloud.compute.v1.Instance> out = new ArrayList<>();
    if (at.regional()) {
      // a regional group spreads over the region's zones: one aggregated call instead of one per zone
      vms.aggregatedList(com.google.cloud.compute.v1.AggregatedListInstancesRequest.newBuilder()
              .setProject(at.project()).setFilter(filter).build())
          .iterateAll().forEach(e -> out.addAll(e.getValue().getInstancesList()));
    } else {
      vms.list(com.google.cloud.compute.v1.ListInstancesRequest.newBuilder().setProject(at.project())
          .setZone(at.zone()).setFilter(filter).build()).iterateAll().forEach(out::add);
    }
    return out;
  }

  @Override
  public TrafficApi traffic() {
    return traffic;
  }

  @Override
  public Optional<InstanceTemplate> getTemplate(String project, String name) {
    return found(() -> templates.get(project, name));
  }

  @Override
  public void insertTemplate(String project, InstanceTemplate template, String requestId) {
    ops.await(templates.insertCallable().call(InsertInstanceTemplateRequest.newBuilder().setProject(project)
        .setInstanceTemplateResource(template).setRequestId(requestId).build()));
  }

  @Override
  public void deleteTemplate(String project, String name, String requestId) {
    ops.await(templates.deleteCallable().call(DeleteInstanceTemplateRequest.newBuilder().setProject(project)
        .setInstanceTemplate(name).setRequestId(requestId).build()));
  }

  @Override
  public List<InstanceTemplate> listTemplates(String project, String filter) {
    List<InstanceTemplate> out = new ArrayList<>();
    templates.list(ListInstanceTemplatesRequest.newBuilder().setProject(project).setFilter(filter).build())
        .iterateAll().forEach(out::add);
    return out;
  }

  @Override
  public void insertImage(String project, Image image, String requestId) {
    ops.await(images.insertCallable().call(InsertImageRequest.newBuilder().setProject(project).setImageResource(image)
        .setRequestId(requestId).build()));
  }

  @Override
  public Optional<Image> getImage(String project, String name) {
    return found(() -> images.get(project, name));
  }

  @Override
  public void deleteImage(String project, String name, String requestId) {
    ops.await(images.deleteCallable().call(DeleteImageRequest.newBuilder().setProject(project).setImage(name)
        .setRequestId(requestId).build()));
  }

  @Override
  public List<Image> listImages(String project, String filter) {
    List<Image> out = new ArrayList<>();
    images.list(ListImagesRequest.newBuilder().setProject(project).setFilter(filter).build())
        .iterateAll().forEach(out::add);
    return out;
  }

  @Override
  public void close() {
    images.close();
    templates.close();
    zonal.close();
    regional.close();
    vms.close();
    traffic.close();
    ops.close();
    transport.shutdownNow();
  }

  @Override
  public List<com.google.cloud.compute.v1.InstanceManagedByIgmError> listErrors(GceLocation at, String group,
      int max) {
    // one page (newest first), and no retries of the client's own: GceCalls retries, inside the budget
    com.google.api.gax.rpc.ApiCallContext once = com.google.api.gax.httpjson.HttpJsonCallContext.createDefault()
        .withRetryableCodes(java.util.Set.of());
    try {
      return at.regional()
          ? regional.listErrorsCallable().call(com.google.cloud.compute.v1.ListErrorsRegionInstanceGroupManagersRequest
              .newBuilder().setProject(at.project()).setRegion(at.region()).setInstanceGroupManager(group)
              .setMaxResults(max).build(), once).getItemsList()
          : zonal.listErrorsCallable().call(com.google.cloud.compute.v1.ListErrorsInstanceGroupManagersRequest
              .newBuilder().setProject(at.project()).setZone(at.zone()).setInstanceGroupManager(group)
              .setMaxResults(max).build(), once).getItemsList();
    } catch (NotFoundException e) {
      return List.of();
    }
  }
}
