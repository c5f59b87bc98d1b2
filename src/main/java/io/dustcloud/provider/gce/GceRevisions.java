package io.dustcloud.provider.gce;

import com.google.cloud.compute.v1.Image;
import com.google.cloud.compute.v1.InstanceTemplate;
import io.dustcloud.core.Reason;
import io.dustcloud.provider.ProviderException;
import java.util.Optional;
import io.dustcloud.provider.RevisionImage;

/**
 * The per-revision resources of a fleet: its image and instance template. Called by {@link
 * GceProvider} under the fleet's lock.
 */
final class GceRevisions {
  private final ComputeApi api;
  private final GceCalls calls;

  private final ArtifactDigests digests;

  GceRevisions(ComputeApi api, GceCalls calls, ArtifactDigests digests) {
    this.api = api;
    this.calls = calls;
    this.digests = digests;
  }

  void ensureRevision(GceFleet f, RevisionImage image) {
    GceLocation at = f.location;
    Image img = GceResources.image(f.id, image);
    // spec.image.sha256 is a promise: the object is checked before GCE imports it (once per revision here)
    digests.verify(image);
    if (importImage(f, img, image) == GceCalls.Outcome.ALREADY_EXISTS) {
      adoptImage(f, img, image);
    }
    InstanceTemplate template = GceResources.template(f.id, image, at);
    calls.mutate(f.id, "instanceTemplates.insert " + template.getName(), template,
        id -> api.insertTemplate(at.project(), template, id));
    f.ensured.add(template.getName());
  }

  /** Imports the image; an import GCE failed is reported in its words, as {@link Reason#IMAGE_IMPORT_FAILED}. */
  private GceCalls.Outcome importImage(GceFleet f, Image img, RevisionImage image) {
    try {
      return calls.mutate(f.id, "images.insert " + img.getName(), img,
          id -> api.insertImage(f.location.project(), img, id));
    } catch (ProviderException e) {
      if (e.retryable() || !(e.getCause() instanceof GceOperationException op)) {
        throw e;
      }
      throw new ProviderException(Reason.IMAGE_IMPORT_FAILED, "GCE could not import the image of revision "
          + image.revision() + " from " + image.artifact() + ": " + op.getMessage(), false, e);
    }
  }

  /**
   * An image of that name exists: READY is adopted; PENDING (an import under way, ours from
   * before a restart) is waited for; FAILED (a bad import left it) is deleted and imported again.
   */
  private void adoptImage(GceFleet f, Image img, RevisionImage image) {
    String project = f.location.project();
    Optional<Image> seen = calls.read(f.id, "images.get", () -> api.getImage(project, img.getName()));
    String status = seen.map(Image::getStatus).orElse("READY");
    if (status.equals("PENDING")) {
      throw new ProviderException(Reason.IMAGE_IMPORTING, "the image of revision " + image.revision()
          + " is still being imported from " + image.artifact(), true);
    }
    if (status.equals("FAILED")) {
      calls.mutate(f.id, "images.delete " + img.getName(), null, id -> api.deleteImage(project, img.getName(), id));
      if (importImage(f, img, image) == GceCalls.Outcome.ALREADY_EXISTS) {
        throw new ProviderException(Reason.IMAGE_IMPORTING, "the failed image of revision " + image.revision()
            + " is being replaced", true);
      }
    }
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
