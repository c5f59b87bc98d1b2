package io.dustcloud.provider.gce;

import io.dustcloud.core.Reason;
import io.dustcloud.provider.ProviderException;
import io.dustcloud.provider.ProviderSettings;

/**
 * Where a fleet's managed instance group lives: a zone (zonal group) or a region (regional
 * group) of a project. Images and templates are global to the project.
 */
public record GceLocation(String project, String zone, String region) {

  /** The location of {@code settings}, which must be GCE settings naming a complete location. */
  public static GceLocation of(ProviderSettings provided) {
    GceSettings settings = GceSettings.of(provided);
    String project = settings.project();
    String zone = settings.zone();
    String region = settings.region();
    if (project == null || (zone == null) == (region == null)) {
      throw new ProviderException(Reason.INVALID_GCE_SETTINGS,
          "gce needs a project and exactly one of zone or region (got project=" + project
              + ", zone=" + zone + ", region=" + region + ")", false);
    }
    return new GceLocation(project, zone, region);
  }

  public boolean regional() {
    return region != null;
  }

  /** The region the group's subnetwork must be in. */
  public String regionName() {
    return regional() ? region : zone.substring(0, zone.lastIndexOf('-'));
  }

  @Override
  public String toString() {
    return project + "/" + (regional() ? "regions/" + region : "zones/" + zone);
  }
}
