package io.dustcloud.operator;

import io.dustcloud.provider.FleetId;
import io.dustcloud.supervisor.Supervisors;

/** TEMPORARY until the supervisor branch lands: what the reconcile asks of the supervisors. */
interface Supervision {
  void supervise(FleetId fleet, SupervisionSpec spec);

  FleetSnapshot snapshot(FleetId fleet);

  static Supervision of(Supervisors s) {
    java.util.Map<FleetId, SupervisionSpec> specs = new java.util.concurrent.ConcurrentHashMap<>();
    return new Supervision() {
      @Override
      public void supervise(FleetId fleet, SupervisionSpec spec) {
        specs.put(fleet, spec);
        var current = s.scale(fleet);
        int total = current != null ? current.desired() : spec.initialTotal();
        if (spec.autoscale() != null) {
          total = Math.max(spec.autoscale().limits().min(), Math.min(spec.autoscale().limits().max(), total));
        }
        s.ensure(fleet, spec.provider(), spec.probe(), spec.repairsSoFar(), spec.autoscale(), total);
        s.serve(fleet, spec.serving());
      }

      @Override
      public FleetSnapshot snapshot(FleetId fleet) {
        SupervisionSpec spec = specs.get(fleet);
        var d = s.scale(fleet);
        int total = d != null ? d.desired() : spec == null ? 0 : spec.initialTotal();
        if (spec != null && spec.autoscale() != null) {
          total = Math.max(spec.autoscale().limits().min(), Math.min(spec.autoscale().limits().max(), total));
        }
        return new FleetSnapshot(s.health(fleet), d, total);
      }
    };
  }
}
