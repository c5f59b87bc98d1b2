package io.dustcloud.operator;

import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reconcile as a fixed chain of named steps over one {@link FleetReconcile}: each step
 * returns continue, wait or stall; the first that does not continue ends the chain. The
 * pipeline only runs steps: status, events and requeue are the reconciler's, from the result.
 */
final class ReconcilePipeline {
  private static final Logger log = LoggerFactory.getLogger(ReconcilePipeline.class);
  private final List<ReconcileStep> steps;

  ReconcilePipeline(List<ReconcileStep> steps) {
    this.steps = List.copyOf(steps);
  }

  /** Runs every step in order until one does not continue; returns that result, or continue. */
  StepResult run(FleetReconcile r) {
    for (ReconcileStep step : steps) {
      StepResult result = step.run(r);
      if (!(result instanceof StepResult.Continue)) {
        log.debug("fleet {}: {} -> {}", r.fleet(), step.name(), result);
        return result;
      }
    }
    return StepResult.CONTINUE;
  }

  List<String> names() {
    return steps.stream().map(ReconcileStep::name).toList();
  }
}
