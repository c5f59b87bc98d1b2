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

/** A fleet of unikernel instances kept running, health-checked and scaled by Dustcloud. */
@Group(Unikernel.GROUP)
@JsonDeserialize(using = Unikernel.Reader.class)
@Version(Unikernel.VERSION)
@ShortNames("uk")
@JsonClassDescription(
    "A fleet of unikernel instances: Dustcloud builds or fetches the image, keeps a managed"
        + " group of instances running it, scales it every second and rolls between immutable"
        + " revisions.")
@AdditionalPrinterColumn(
    name = "Ready",
    jsonPath = ".status.conditions[?(@.type==\"Ready\")].status",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Replicas",
    jsonPath = ".status.replicasSummary",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Revision",
    jsonPath = ".status.currentRevision",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Age",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
public class Unikernel extends CustomResource<UnikernelSpec, UnikernelStatus> implements Namespaced,
    LenientlyRead<UnikernelSpec> {
  public static final String GROUP = "dustcloud.io";
  public static final String VERSION = "v1alpha1";

  @Override
  @JsonPropertyDescription("What the user wants: the artifact, the provider, scaling and health checks.")
  public UnikernelSpec getSpec() {
    return super.getSpec();
  }

  @Override
  @JsonPropertyDescription("What the operator observed and did; written only by the operator.")
  public UnikernelStatus getStatus() {
    return super.getStatus();
  }

  /** What the {@link Reader} could not read; not part of the object's JSON. */
  @JsonIgnore private transient ReadProblems<UnikernelSpec> readProblems = ReadProblems.none();

  @Override
  @JsonIgnore
  public ReadProblems<UnikernelSpec> readProblems() {
    return readProblems;
  }

  @Override
  public void readProblems(ReadProblems<UnikernelSpec> problems) {
    this.readProblems = Objects.requireNonNull(problems, "problems");
  }

  /** Reads a Unikernel leniently: see {@link LenientReader}. */
  public static final class Reader extends LenientReader<Unikernel, UnikernelSpec, UnikernelStatus> {
    public Reader() {
      super(Unikernel.class, Unikernel::new, UnikernelSpec.class, UnikernelStatus.class);
    }
  }
}
