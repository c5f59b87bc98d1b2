package io.dustcloud.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;
import java.util.Objects;

/**
 * One immutable revision of a {@link Unikernel}: the revision-relevant part of its spec
 * frozen under a content hash. Created and owned by the operator.
 */
@Group(Unikernel.GROUP)
@JsonDeserialize(using = UnikernelRevision.Reader.class)
@Version(Unikernel.VERSION)
@ShortNames("ukrev")
@JsonClassDescription(
    "An immutable revision of a Unikernel, created by the operator: the artifact, boot"
        + " arguments and machine shape under a content hash, and what they resolved to.")
@AdditionalPrinterColumn(
    name = "Unikernel",
    jsonPath = ".spec.unikernel",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Ready",
    jsonPath = ".status.conditions[?(@.type==\"Ready\")].status",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Digest",
    jsonPath = ".status.artifact.sha256",
    type = AdditionalPrinterColumn.Type.STRING,
    priority = 1)
@AdditionalPrinterColumn(
    name = "Age",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
public class UnikernelRevision
    extends CustomResource<UnikernelRevisionSpec, UnikernelRevisionStatus> implements Namespaced,
    LenientlyRead<UnikernelRevisionSpec> {
  @Override
  @JsonPropertyDescription("The frozen, revision-relevant spec; immutable.")
  public UnikernelRevisionSpec getSpec() {
    return super.getSpec();
  }

  @Override
  @JsonPropertyDescription("What the revision resolved to.")
  public UnikernelRevisionStatus getStatus() {
    return super.getStatus();
  }

  /** What the {@link Reader} could not read; not part of the object's JSON. */
  @JsonIgnore private transient ReadProblems<UnikernelRevisionSpec> readProblems = ReadProblems.none();

  @Override
  @JsonIgnore
  public ReadProblems<UnikernelRevisionSpec> readProblems() {
    return readProblems;
  }

  @Override
  public void readProblems(ReadProblems<UnikernelRevisionSpec> problems) {
    this.readProblems = Objects.requireNonNull(problems, "problems");
  }

  /** Reads a UnikernelRevision leniently: see {@link LenientReader}. */
  public static final class Reader extends LenientReader<UnikernelRevision, UnikernelRevisionSpec, UnikernelRevisionStatus> {
    public Reader() {
      super(UnikernelRevision.class, UnikernelRevision::new, UnikernelRevisionSpec.class, UnikernelRevisionStatus.class);
    }
  }
}
