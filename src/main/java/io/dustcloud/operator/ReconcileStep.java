package io.dustcloud.operator;

/** One named step of the reconcile pipeline: reads and fills the reconcile's context. */
interface ReconcileStep {
  /** For logs and docs: {@code gate-spec}, {@code resolve-revision}, … */
  String name();

  StepResult run(FleetReconcile r);
}
