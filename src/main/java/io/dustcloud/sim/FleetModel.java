package io.dustcloud.sim;

/**
 * The simulator's instances: each carries {@code capacity} demand per second once it has
 * booted; load spreads evenly over the booted ones.
 *
 * @param bootSeconds from the resize call to serving (and being scraped)
 * @param capacity demand one instance serves per second
 * @param initSeconds instances younger than this are left out of what the policy sees
 *     (GCE's initialization period; 0 elsewhere)
 * @param saturate whether the metric stops at 100 % (CPU does; a queue or in-flight gauge does not)
 */
public record FleetModel(int bootSeconds, double capacity, int initSeconds, boolean saturate) {
  public FleetModel {
    if (bootSeconds < 0 || !(capacity > 0) || initSeconds < 0) {
      throw new IllegalArgumentException("need bootSeconds >= 0, capacity > 0, initSeconds >= 0");
    }
  }

  public FleetModel withInit(int seconds) {
    return new FleetModel(bootSeconds, capacity, seconds, saturate);
  }
}
