package io.dustcloud.provider.gce;

import com.google.cloud.compute.v1.FixedOrPercent;
import com.google.cloud.compute.v1.InstanceGroupManager;
import com.google.cloud.compute.v1.InstanceGroupManagerVersion;
import io.dustcloud.provider.DesiredFleet;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * What matters of a managed instance group: its versions (template name, and a fixed size for
 * all but the last, which takes the rest) and its total size. Desired and observed groups are
 * reduced to this value and compared; equal shapes mean no call.
 */
public record GroupShape(List<Version> versions, int targetSize) {

  /** One version; {@code fixed} is null for the version that takes the rest. */
  public record Version(String template, Integer fixed) {}

  public GroupShape {
    versions = List.copyOf(versions);
  }

  /**
   * The group for a desired fleet: revisions with instances, in the desired order. A fleet
   * scaled to zero keeps its first revision as the group's only version.
   */
  public static GroupShape desired(DesiredFleet desired, Function<String, String> templateOf) {
    List<String> revisions = new ArrayList<>();
    desired.revisions().forEach((rev, target) -> {
      if (target.replicas() > 0) {
        revisions.add(rev);
      }
    });
    if (revisions.isEmpty() && !desired.revisions().isEmpty()) {
      revisions.add(desired.revisions().keySet().iterator().next());
    }
    List<Version> versions = new ArrayList<>();
    for (int i = 0; i < revisions.size(); i++) {
      String rev = revisions.get(i);
      boolean last = i == revisions.size() - 1;
      versions.add(new Version(templateOf.apply(rev), last ? null : desired.revisions().get(rev).replicas()));
    }
    return new GroupShape(versions, desired.total());
  }

  /** The shape of a group as GCE reports it. A percent size cannot be ours and never equals a desired shape. */
  public static GroupShape observed(InstanceGroupManager group) {
    List<Version> versions = new ArrayList<>();
    for (InstanceGroupManagerVersion v : group.getVersionsList()) {
      Integer fixed = null;
      if (v.hasTargetSize()) {
        fixed = v.getTargetSize().hasFixed() ? v.getTargetSize().getFixed() : -1;
      }
      versions.add(new Version(GceNames.lastSegment(v.getInstanceTemplate()), fixed));
    }
    if (versions.isEmpty() && group.hasInstanceTemplate()) {
      versions.add(new Version(GceNames.lastSegment(group.getInstanceTemplate()), null));
    }
    return new GroupShape(versions, group.getTargetSize());
  }

  /** The sum of the fixed sizes (all versions but the one that takes the rest). */
  public int fixedTotal() {
    return versions.stream().mapToInt(v -> v.fixed() == null ? 0 : Math.max(0, v.fixed())).sum();
  }

  public List<String> templates() {
    return versions.stream().map(Version::template).toList();
  }

  /** The versions as the API takes them, templates as project-relative URLs. */
  public List<InstanceGroupManagerVersion> apiVersions(String project) {
    List<InstanceGroupManagerVersion> out = new ArrayList<>();
    for (Version v : versions) {
      InstanceGroupManagerVersion.Builder b = InstanceGroupManagerVersion.newBuilder()
          .setName(v.template())
          .setInstanceTemplate("projects/" + project + "/global/instanceTemplates/" + v.template());
      if (v.fixed() != null) {
        b.setTargetSize(FixedOrPercent.newBuilder().setFixed(v.fixed()));
      }
      out.add(b.build());
    }
    return out;
  }
}
