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
}
