package io.dustcloud.provider.gce;

import com.google.cloud.compute.v1.Image;
import com.google.cloud.compute.v1.InstanceTemplate;
import io.dustcloud.provider.ProviderException;
import io.dustcloud.provider.RevisionImage;

/**
 * The per-revision resources of a fleet: its image and instance template. Called by {@link
 * GceProvider} under the fleet's lock.
 */
final class GceRevisions {
  private final ComputeApi api;
  private final GceCalls calls;

  GceRevisions(ComputeApi api, GceCalls calls) {
    this.api = api;
    this.calls = calls;
  }

  void ensureRevision(GceFleet f, RevisionImage image) {
    GceLocation at = f.location;
    Image img = GceResources.image(f.id, image);
    calls.mutate(f.id, "images.insert " + img.getName(), img, id -> api.insertImage(at.project(), img, id));
    InstanceTemplate template = GceResources.template(f.id, image, at);
    calls.mutate(f.id, "instanceTemplates.insert " + template.getName(), template,
        id -> api.insertTemplate(at.project(), template, id));
    f.ensured.add(template.getName());
  }

  /** Whether the template is gone; a template still used by a group is kept. */
  boolean deleteTemplate(GceFleet f, String template) {
    try {
      calls.mutate(f.id, "instanceTemplates.delete " + template, null,
          id -> api.deleteTemplate(f.location.project(), template, id));
      f.templates.remove(template);
      f.ensured.remove(template);
      return true;
    } catch (ProviderException e) {
      if (e.getCause() != null && GceError.of(e.getCause()).inUse()) {
        return false;
      }
      throw e;
    }
  }
}
