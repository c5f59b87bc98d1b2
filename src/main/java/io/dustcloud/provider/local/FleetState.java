package io.dustcloud.provider.local;

import io.dustcloud.provider.FleetId;
import io.dustcloud.provider.RevisionImage;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What survives an operator restart for one fleet: enough to re-bind its endpoint, adopt
 * its processes and start more instances of its revisions.
 *
 * @param endpointPort the fleet endpoint's port, re-bound on adoption so clients keep it
 * @param images the images of the fleet's revisions, needed by {@code replace}
 * @param starting ids of instances being started and not yet recorded with a pid: written
 *     before the start, so a provider killed in between finds the process by its mark (see
 *     {@link InstanceMarker}) and stops it; absent in state of earlier operators
 */
record FleetState(
    String namespace,
    String name,
    int endpointPort,
    Map<String, RevisionImage> images,
    List<Instance> instances,
    List<String> starting) {

  FleetState {
    images = Map.copyOf(images == null ? Map.of() : images);
    instances = List.copyOf(instances == null ? List.of() : instances);
    starting = List.copyOf(starting == null ? List.of() : starting);
  }

  FleetState(String namespace, String name, int endpointPort, Map<String, RevisionImage> images,
      List<Instance> instances) {
    this(namespace, name, endpointPort, images, instances, List.of());
  }

  FleetId fleetId() {
    return new FleetId(namespace, name);
  }

  /**
   * One started process.
   *
   * @param processStart the OS start time of {@code pid}; a live pid with another start time
   *     is a different process that reused the pid
   * @param runtime what runs it ({@code process}, {@code qemu}, {@code solo5}); absent in
   *     state written before VM runtimes existed, which means {@code process}
   */
  record Instance(
      String id,
      String revision,
      long pid,
      Instant processStart,
      int port,
      String artifact,
      Instant createdAt,
      String runtime) {

    Instance {
      runtime = runtime == null ? UnixArtifacts.RUNTIME : runtime;
    }

    Instance(String id, String revision, long pid, Instant processStart, int port, String artifact, Instant createdAt) {
      this(id, revision, pid, processStart, port, artifact, createdAt, null);
    }
  }
}
