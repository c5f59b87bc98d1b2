package io.dustcloud.core.autoscale;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.OptionalDouble;

/** Timestamped values kept for a fixed span; ticks without data simply add no point. */
final class TimeSeries {
  private record Point(Instant at, double value) {}

  private final ArrayDeque<Point> points = new ArrayDeque<>();
  private final Duration span;

  TimeSeries(Duration span) {
    this.span = span;
  }

  void add(Instant at, double value) {
    points.addLast(new Point(at, value));
    Instant oldest = at.minus(span);
    while (!points.isEmpty() && points.peekFirst().at().isBefore(oldest)) {
      points.removeFirst();
    }
  }

  /** Mean of the points in ({@code now - window}, now]: a 6 s window at 1 s ticks holds 6 points. */
  OptionalDouble mean(Instant now, Duration window) {
    Instant from = now.minus(window);
    return points.stream().filter(p -> p.at().isAfter(from)).mapToDouble(Point::value).average();
  }

  /**
   * Largest of the points in [{@code now - window}, now]: inclusive, so a value must have been
   * absent for the whole window before the maximum drops below it.
   */
  OptionalDouble max(Instant now, Duration window) {
    Instant from = now.minus(window);
    return points.stream().filter(p -> !p.at().isBefore(from)).mapToDouble(Point::value).max();
  }

  /**
   * Least-squares slope (value per second) of the points in ({@code now - window}, now];
   * empty with fewer than three points.
   */
  OptionalDouble slope(Instant now, Duration window) {
    return slope(now.minus(window), now);
  }

  /** Least-squares slope of the points in ({@code from}, {@code to}]; empty with fewer than three. */
  OptionalDouble slope(Instant from, Instant now) {
    double n = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
    for (Point p : points) {
      if (p.at().isAfter(from) && !p.at().isAfter(now)) {
        double x = Duration.between(now, p.at()).toMillis() / 1000.0;
        n++;
        sx += x;
        sy += p.value();
        sxx += x * x;
        sxy += x * p.value();
      }
    }
    double denominator = n * sxx - sx * sx;
    return n < 3 || denominator <= 0 ? OptionalDouble.empty() : OptionalDouble.of((n * sxy - sx * sy) / denominator);
  }

  /**
   * The noise of the points in ({@code now - window}, now]: a robust standard deviation from the
   * median absolute change between consecutive points (1.4826 x MAD / sqrt 2, exact for normal
   * noise). Changes, not deviations from a mean, so a ramp is not noise; a median, so the two
   * changes a step or a burst makes are not noise either. Empty with fewer than three points.
   */
  OptionalDouble noise(Instant now, Duration window) {
    Instant from = now.minus(window);
    double[] values = points.stream().filter(p -> p.at().isAfter(from)).mapToDouble(Point::value).toArray();
    if (values.length < 3) {
      return OptionalDouble.empty();
    }
    double[] changes = new double[values.length - 1];
    for (int i = 1; i < values.length; i++) {
      changes[i - 1] = values[i] - values[i - 1];
    }
    double median = median(changes);
    for (int i = 0; i < changes.length; i++) {
      changes[i] = Math.abs(changes[i] - median);
    }
    return OptionalDouble.of(1.4826 * median(changes) / Math.sqrt(2));
  }

  private static double median(double[] v) {
    double[] s = v.clone();
    java.util.Arrays.sort(s);
    int n = s.length;
    return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  }

  /** The latest point's value. */
  OptionalDouble last() {
    return points.isEmpty() ? OptionalDouble.empty() : OptionalDouble.of(points.peekLast().value());
  }
}
