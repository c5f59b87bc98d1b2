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
      // a beat that fired a little late keeps its tick: back to the slot, not on to the next
      "1001, 1000, 50, 999",
      "1024, 1000, 50, 976",
      // past half a slot: on to the next
      "1025, 1000, 50, 1025",
      "1049, 951, 50, 951",
      "0, 0, 50, 0",
      // never into the past
      "1001, 0, 50, 49",
      "7, -5, 50, 43",
      // no slots: the delay as asked
      "1234, 999, 1, 999",
      "1234, 999, 0, 999"})
  void aSettledBeatMovesToTheNearestSlot(long now, long delay, long slot, long expected) {
    assertThat(Supervisors.slotted(now, delay, slot)).isEqualTo(expected);
  }

  @Test
  void theBeatMovesByAtMostHalfASlotAndLandsOnOne() {
    Random r = new Random(20);
    for (int i = 0; i < 10_000; i++) {
      long now = r.nextInt(1_000_000_000);
      long delay = r.nextInt(2000);
      long slot = 2 + r.nextInt(100);
      long d = Supervisors.slotted(now, delay, slot);
      assertThat(d).isNotNegative();
      assertThat(Math.abs(d - delay)).isLessThanOrEqualTo(Math.max(slot / 2, delay < slot ? slot : 0));
      assertThat((now + d) % slot).isZero();
    }
  }

  @Test
  void fleetsThatSettleApartBeatTogether() {
    // three fleets settle 1, 13 and 20 ms after a slot; each asks for its next run a tick later
    long a = 5_001 + Supervisors.slotted(5_001, 1000, 50);
    long b = 5_013 + Supervisors.slotted(5_013, 1000, 50);
    long c = 5_020 + Supervisors.slotted(5_020, 1000, 50);
    assertThat(a).isEqualTo(6_000).isEqualTo(b).isEqualTo(c);
  }
}
