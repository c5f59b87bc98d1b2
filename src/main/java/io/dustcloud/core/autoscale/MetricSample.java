package io.dustcloud.core.autoscale;

/**
 * What one tick saw of a fleet's metric, over its ready instances only (instances still
 * booting are not in it: they carry no load yet and would drag averages down).
 *
 * @param ready instances ready now: the fleet's current serving capacity
 * @param scraped ready instances that reported a value this tick
 * @param sum the sum of the values they reported (per-instance metric, e.g. percent CPU)
 * @param missing ready instances whose scrape failed or timed out this tick. They are not
 *     zero load: their share is estimated from the instances that did answer, and a decision
 *     made with missing data never scales down.
 */
public record MetricSample(int ready, int scraped, double sum, int missing) {
  public MetricSample {
    if (ready < 0 || scraped < 0 || missing < 0) {
      throw new IllegalArgumentException("counts must not be negative");
    }
  }

  /** A sample where every ready instance answered with the given values. */
  public static MetricSample of(double... values) {
    double sum = 0;
    for (double v : values) {
      sum += v;
    }
    return new MetricSample(values.length, values.length, sum, 0);
  }

  /** Nothing could be read this tick (or no instance is ready yet). */
  public static MetricSample none(int ready) {
    return new MetricSample(ready, 0, 0, ready);
  }

  public boolean hasData() {
    return scraped > 0;
  }

  /** Mean value per reporting instance; NaN without data. */
  public double mean() {
    return scraped == 0 ? Double.NaN : sum / scraped;
  }

  /**
   * Demand across the fleet: what answered plus the mean for each instance that did not
   * (instances that answered for the first time and have no rate yet count as neither).
   */
  public double total() {
    return scraped == 0 ? Double.NaN : mean() * (scraped + missing);
  }
}
