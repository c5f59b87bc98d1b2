package io.dustcloud.sim;

/**
 * The least demand a policy that only reacts can leave unmet: one that, at every second, has
 * asked for every instance the demand seen so far could justify at the target — the highest
 * demand seen, sized at the target — and never released one. Instances asked for at second s
 * serve from s + boot (as in {@link Simulation}), so a rise is carried only by what an earlier
 * peak left standing. Any policy that reacts to demand (rather than predicting it, or holding
 * capacity beyond its target for no demand seen) serves at most what this one serves; a goal of
 * unmet demand below this floor is out of reach for all of them, whatever they spend.
 */
public final class ReactiveFloor {
  private ReactiveFloor() {}

  /**
   * @param target percent of one instance's capacity the policy sizes for
   * @param start instances serving at second 0
   */
  public static double unmetDemand(Trace trace, FleetModel model, double target, int start) {
    double[] d = trace.demand();
    double perInstance = model.capacity() * target / 100;
    double peak = 0;
    double unmet = 0;
    for (int t = 0; t < d.length; t++) {
      int seen = t - model.bootSeconds();
      if (seen >= 0) {
        peak = Math.max(peak, d[seen]);
      }
      long instances = Math.max(start, (long) Math.ceil(peak / perInstance - 1e-9));
      unmet += Math.max(0, d[t] - instances * model.capacity());
    }
    return unmet;
  }
}
