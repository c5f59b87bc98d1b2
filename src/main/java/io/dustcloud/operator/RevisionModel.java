package io.dustcloud.operator;

import io.dustcloud.core.revision.BootArgs;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.MapperFeature;
import io.dustcloud.api.v1alpha1.Unikernel;
import io.dustcloud.api.v1alpha1.UnikernelRevision;
import io.dustcloud.api.v1alpha1.UnikernelRevisionSpec;
import io.dustcloud.api.v1alpha1.UnikernelSpec;
import io.dustcloud.core.revision.RevisionNaming;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import java.util.Map;

/**
 * Builds the desired {@link UnikernelRevision} for a Unikernel's current spec. Pure: no API
 * calls. Only the revision-relevant part of the spec (artifact or build, boot args, port,
 * provider and machine shape) enters the revision and its hash; scaling, health checks and
 * policies do not, so changing them never starts a rollout.
 */
public final class RevisionModel {
  public static final String LABEL_UNIKERNEL = "dustcloud.io/unikernel";
  public static final String LABEL_HASH = "dustcloud.io/revision-hash";
  public static final String LABEL_MANAGED_BY = "app.kubernetes.io/managed-by";
  public static final String MANAGER = "dustcloud";

  private static final ObjectMapper CANONICAL =
      JsonMapper.builder()
          .configure(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY, true)
          .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true)
          .build();

  private RevisionModel() {}

  public static UnikernelRevisionSpec revisionSpec(String unikernelName, UnikernelSpec spec) {
    UnikernelRevisionSpec r = new UnikernelRevisionSpec();
    r.unikernel = unikernelName;
    r.image = spec.image;
    r.build = spec.build;
    r.bootArgs = BootArgs.of(spec.bootArgs);
    r.port = spec.port;
    r.provider = revisionProvider(spec.provider);
    r.hash = null;
    r.hash = RevisionNaming.hash(canonical(r));
    return r;
  }

  /**
   * The provider spec without its fleet-level parts (GCE's {@code loadBalancer}): they change
   * how the fleet is reached, not what an instance runs, so they are read from the Unikernel
   * and never enter a revision or its hash.
   */
  static io.dustcloud.api.v1alpha1.ProviderSpec revisionProvider(io.dustcloud.api.v1alpha1.ProviderSpec p) {
    if (p == null || p.gce == null || p.gce.loadBalancer == null) {
      return p;
    }
    io.dustcloud.api.v1alpha1.ProviderSpec copy = CANONICAL.convertValue(p, io.dustcloud.api.v1alpha1.ProviderSpec.class);
    copy.gce.loadBalancer = null;
    return copy;
  }

  public static UnikernelRevision desired(Unikernel uk) {
    UnikernelRevisionSpec spec = revisionSpec(uk.getMetadata().getName(), uk.getSpec());
    UnikernelRevision rev = new UnikernelRevision();
    rev.setMetadata(
        new ObjectMetaBuilder()
            .withName(RevisionNaming.name(uk.getMetadata().getName(), spec.hash))
            .withNamespace(uk.getMetadata().getNamespace())
            .withLabels(
                Map.of(
                    LABEL_UNIKERNEL, RevisionNaming.labelValue(uk.getMetadata().getName()),
                    LABEL_HASH, spec.hash,
                    LABEL_MANAGED_BY, MANAGER))
            .withOwnerReferences(
                new OwnerReferenceBuilder()
                    .withApiVersion(uk.getApiVersion())
                    .withKind(uk.getKind())
                    .withName(uk.getMetadata().getName())
                    .withUid(uk.getMetadata().getUid())
                    .withController(true)
                    .withBlockOwnerDeletion(true)
                    .build())
            .build());
    rev.setSpec(spec);
    return rev;
  }

  static String canonical(Object value) {
    try {
      return CANONICAL.writeValueAsString(value);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("cannot serialize " + value.getClass().getSimpleName(), e);
    }
  }
}
