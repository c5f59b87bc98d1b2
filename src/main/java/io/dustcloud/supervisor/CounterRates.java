package io.dustcloud.supervisor;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;

/**
 * Per-second rates of a counter per instance, from consecutive scrapes. The first scrape of
 * an instance gives no rate (it is warming up, not missing). A counter that went down was
 * reset (the instance restarted): its new value is what it counted since, as in Prometheus'
 * {@code rate()}.
 */
final class CounterRates {
  private record Reading(double value, Instant at) {}

  private final Map<String, Reading> last = new HashMap<>();

  OptionalDouble rate(String instance, double value, Instant at) {
    Reading before = last.put(instance, new Reading(value, at));
    if (before == null) {
      return OptionalDouble.empty();
    }
    double seconds = Duration.between(before.at(), at).toNanos() / 1e9;
    if (seconds <= 0) {
      last.put(instance, before);
      return OptionalDouble.empty();
    }
    double increase = value >= before.value() ? value - before.value() : value;
    return OptionalDouble.of(increase / seconds);
  }

  /** Forgets instances that are gone, so a reused id starts afresh. */
  void retain(Set<String> instances) {
    last.keySet().retainAll(instances);
  }
}
