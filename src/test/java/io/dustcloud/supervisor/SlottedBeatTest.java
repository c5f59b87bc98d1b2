package io.dustcloud.supervisor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Settled fleets beat on shared slots of the monotonic clock ({@link Supervisors#slotted}). */
class SlottedBeatTest {
  @ParameterizedTest(name = "now {0}, delay {1}, slot {2}: {3}")
  @CsvSource({
      // already on a slot: unchanged, so a settled fleet keeps its tick once aligned
      "1000, 1000, 50, 1000",
      // lengthened to the next slot, never shortened
      "1010, 1000, 50, 1040",
      "1049, 951, 50, 951",
      "1001, 0, 50, 49",
      "0, 0, 50, 0",
      // a delay already overdue beats on the next slot
      "7, -5, 50, 43",
      // no slots: the delay as asked
      "1234, 999, 1, 999",
      "1234, 999, 0, 999"})
  void aSettledBeatEndsOnTheNextSlot(long now, long delay, long slot, long expected) {
    assertThat(Supervisors.slotted(now, delay, slot)).isEqualTo(expected);
  }

  @Test
  void theBeatIsLateByLessThanASlotAndLandsOnOne() {
    Random r = new Random(20);
    for (int i = 0; i < 10_000; i++) {
      long now = r.nextInt(1_000_000_000);
      long delay = r.nextInt(2000);
      long slot = 1 + r.nextInt(100);
      long d = Supervisors.slotted(now, delay, slot);
      assertThat(d).isBetween(delay, delay + slot - 1);
      assertThat((now + d) % slot).isZero();
    }
  }

  @Test
  void fleetsThatSettleApartBeatTogether() {
    // two fleets settle 13 ms apart; each asks for its next run a tick (1000 ms) later
    long a = 5_000 + Supervisors.slotted(5_000, 1000, 50);
    long b = 5_013 + Supervisors.slotted(5_013, 1000, 50);
    assertThat(b - a).isIn(0L, 50L);
    long c = 5_001 + Supervisors.slotted(5_001, 1000, 50);
    assertThat(c).isEqualTo(b);
  }
}
