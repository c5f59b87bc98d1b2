package io.dustcloud.operator;

import io.dustcloud.binding.ProviderBinding;
import io.dustcloud.binding.Bindings;
import io.dustcloud.api.v1alpha1.UnikernelRevision;
import io.dustcloud.core.Reason;
import java.util.List;
import java.util.Optional;

/**
 * Step 1: is the spec one the operator can act on? It could be read at all (a value of the
 * wrong type in the Unikernel's spec or a revision's leaves the fleet as it is: {@link
 * InvalidObjects}), defaults applied, the rules the schema cannot express checked ({@link
 * SpecValidator}), and the provider it names bound here.
 */
final class GateSpec implements ReconcileStep {
  private final Bindings bindings;

  GateSpec(Bindings bindings) {
    this.bindings = bindings;
  }

  @Override
  public String name() {
    return "gate-spec";
  }

  @Override
  public StepResult run(FleetReconcile r) {
    if (r.uk.readProblems().spec() != null) {
      return StepResult.stall(Reason.INVALID_OBJECT, InvalidObjects.specMessage("the spec", r.uk.readProblems().spec()));
    }
    for (UnikernelRevision rev : r.known) {
      // another party's object must not stall this fleet (resolve-revision reports it if it matters)
      if (rev.readProblems().spec() != null && RevisionTrust.controlled(r.uk, rev)) {
        // the steps after this one read every revision's spec
        return StepResult.stall(Reason.INVALID_OBJECT,
            InvalidObjects.specMessage("revision " + rev.getMetadata().getName(), rev.readProblems().spec()));
      }
    }
    SpecDefaults.apply(r.spec());
    List<String> problems = SpecValidator.validate(r.spec());
    if (!problems.isEmpty()) {
      return StepResult.stall(Reason.INVALID_SPEC, String.join("; ", problems));
    }
    Optional<ProviderBinding> binding = bindings.forSpec(r.spec().provider);
    if (binding.isEmpty()) {
      return StepResult.stall(Reason.PROVIDER_NOT_CONFIGURED, "provider '" + Bindings.nameOf(r.spec().provider)
          + "' is not configured in this operator (configured: " + bindings.configuredNames() + ")");
    }
    r.binding = binding.get();
    r.provider = r.binding.provider();
    return StepResult.CONTINUE;
  }
}
