package io.dustcloud.sim;

import java.util.ArrayDeque;

/**
 * Kubernetes' HorizontalPodAutoscaler on CPU with its defaults, as a peer for the simulator —
 * not offered to fleets. It follows {@code GetResourceReplicas} in
 * kubernetes/pkg/controller/podautoscaler/replica_calculator.go and the default
 * {@code behavior} of the autoscaling/v2 API:
 *
 * <ul>
 *   <li>a 15 s loop (the controller manager's {@code --horizontal-pod-autoscaler-sync-period});
 *   <li>each pod's utilisation is the mean over the metrics pipeline's 15 s window (what
 *       metrics-server reports), capped at 100 % when the model saturates;
 *   <li>pods not ready, or ready for less than one metrics window, are <em>unready</em>
 *       (all of ours start within the 5 min CPU initialization period): left out of the
 *       ratio, and counted as 0 % when that would scale up; ignored on a scale-down;
 *   <li>a 10 % tolerance around the target, and no change when counting the unready pods
 *       reverses the direction or lands within it;
 *   <li>scale-down: the highest recommendation of the last 300 s (stabilization window);
 *       scale-up: at most {@code max(+100 %, +4 pods)} per 15 s (both default policies,
 *       {@code selectPolicy: Max}); then min/max.
 * </ul>
 */
public final class Hpa implements Simulation.Controller {
  public static final int PERIOD_SECONDS = 15;
  static final int METRICS_WINDOW = 15;
  static final int STABILIZATION_SECONDS = 300;
  static final double TOLERANCE = 0.1;

  private record Recommendation(int second, int replicas) {}

  private final double target;
  private final int min;
  private final int max;
  private final ArrayDeque<Recommendation> recommendations = new ArrayDeque<>();

  /** @param target utilisation per pod, in percent of its capacity (request) */
  public Hpa(double target, int min, int max) {
    this.target = target;
    this.min = min;
    this.max = max;
  }

  @Override
  public int decide(Simulation.Fleet f) {
    int current = f.current();
    int settled = f.serving(METRICS_WINDOW);
    if (settled == 0) {
      return current; // no metrics: the HPA does not act
    }
    double utilisation = 0;
    int from = Math.max(0, f.second() - METRICS_WINDOW + 1);
    for (int s = from; s <= f.second(); s++) {
      utilisation += f.perInstance(s, true);
    }
    utilisation /= f.second() - from + 1;
    int unready = f.existing() - settled;
    double ratio = utilisation / target;
    int desired;
    if (!(unready > 0 && ratio > 1)) {
      desired = Math.abs(1 - ratio) <= TOLERANCE ? current : (int) Math.ceil(ratio * settled - 1e-9);
    } else {
      // unready pods count as 0 % on a scale-up, which dampens it
      double newRatio = utilisation * settled / (settled + unready) / target;
      if (Math.abs(1 - newRatio) <= TOLERANCE || newRatio < 1) {
        desired = current;
      } else {
        desired = Math.max(current, (int) Math.ceil(newRatio * (settled + unready) - 1e-9));
      }
    }
    desired = Math.max(Math.max(1, min), Math.min(max, desired));
    return normalize(desired, current, f.second());
  }

  private int normalize(int desired, int current, int now) {
    int up = desired;
    int down = desired;
    for (Recommendation r : recommendations) {
      if (r.second() > now - STABILIZATION_SECONDS) {
        down = Math.max(down, r.replicas());
      }
    }
    recommendations.addLast(new Recommendation(now, desired));
    while (recommendations.peekFirst().second() <= now - STABILIZATION_SECONDS) {
      recommendations.removeFirst();
    }
    int n = desired;
    if (n > current) {
      n = Math.min(n, up);
    } else if (n < current) {
      n = Math.max(n, down);
    }
    // one decision per period, so the period's start is the current total
    int upLimit = Math.max(current + 4, 2 * current);
    n = Math.min(n, upLimit);
    return Math.max(Math.max(1, min), Math.min(max, n));
  }
}
