package io.dustcloud.provider;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The one value every decision reduces to: how many instances of each revision should
 * exist now. Providers only realize it.
 */
public record DesiredFleet(FleetId fleet, Map<String, Target> revisions, FleetService service) {

  /** Desired instance count of one revision, with the image to start them from. */
  public record Target(RevisionImage image, int replicas) {
    public Target {
      Objects.requireNonNull(image, "image");
      if (replicas < 0) {
        throw new IllegalArgumentException("replicas must be >= 0, was " + replicas);
      }
    }
  }

  public DesiredFleet {
    Objects.requireNonNull(fleet, "fleet");
    revisions = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(revisions));
    service = service == null ? FleetService.DEFAULT : service;
  }

  /** A fleet served as {@link FleetService#DEFAULT}. */
  public DesiredFleet(FleetId fleet, Map<String, Target> revisions) {
    this(fleet, revisions, FleetService.DEFAULT);
  }

  public static DesiredFleet single(FleetId fleet, RevisionImage image, int replicas) {
    return new DesiredFleet(fleet, Map.of(image.revision(), new Target(image, replicas)));
  }

  public int total() {
    return revisions.values().stream().mapToInt(Target::replicas).sum();
  }
}
