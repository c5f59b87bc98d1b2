package io.dustcloud.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.dustcloud.operator.EventCorrelator.Subject;
import io.dustcloud.operator.EventCorrelator.Write;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventCorrelatorTest {
  static final Instant T0 = Instant.parse("2026-11-27T10:00:00Z");
  static final Subject WEB = new Subject("default", "dustcloud.io/v1alpha1", "Unikernel", "web", "uid-web");
  static final Subject API = new Subject("default", "dustcloud.io/v1alpha1", "Unikernel", "api", "uid-api");

  final EventCorrelator correlator = new EventCorrelator();
  int names;

  Write observe(Subject s, String reason, String message, Instant at) {
    return correlator.observe(s, "Warning", reason, message, at, "e" + (++names));
  }

  @Test
  void aNewEventIsCreatedAtOnce() {
    Write w = observe(WEB, "InstanceRepaired", "replaced i-1", T0);
    assertThat(w.create()).isTrue();
    assertThat(w.eventName()).isEqualTo("e1");
    assertThat(w.count()).isEqualTo(1);
    assertThat(w.first()).isEqualTo(T0);
    assertThat(w.message()).isEqualTo("replaced i-1");
  }

  @Test
  void repeatsWithinTheIntervalAreCountedAndWrittenOnceWhenDue() {
    observe(WEB, "ProbeFailed", "timeout", T0);
    for (int i = 1; i <= 5; i++) {
      assertThat(observe(WEB, "ProbeFailed", "timeout", T0.plusSeconds(i))).isNull();
    }
    assertThat(correlator.due(T0.plusSeconds(9), false)).isEmpty();

    List<Write> due = correlator.due(T0.plusSeconds(10), false);
    assertThat(due).singleElement().satisfies(w -> {
      assertThat(w.create()).isFalse();
      assertThat(w.eventName()).isEqualTo("e1");
      assertThat(w.count()).isEqualTo(6);
      assertThat(w.first()).isEqualTo(T0);
      assertThat(w.last()).isEqualTo(T0.plusSeconds(5));
    });
    assertThat(correlator.due(T0.plusSeconds(60), false)).as("nothing new to write").isEmpty();
  }

  @Test
  void aRepeatAfterAQuietIntervalIsWrittenAtOnce() {
    observe(WEB, "ProbeFailed", "timeout", T0);
    Write w = observe(WEB, "ProbeFailed", "timeout", T0.plus(EventCorrelator.REPEAT_WRITE_INTERVAL));
    assertThat(w).isNotNull();
    assertThat(w.create()).isFalse();
    assertThat(w.count()).isEqualTo(2);
    assertThat(correlator.due(T0.plusSeconds(3600), false)).isEmpty();
  }

  @Test
  void moreThanTenDifferentMessagesWithOneReasonAreCombined() {
    List<Write> writes = new ArrayList<>();
    for (int i = 1; i <= 10; i++) {
      writes.add(observe(WEB, "InstanceRepaired", "replaced i-" + i, T0.plusSeconds(i)));
    }
    assertThat(writes).allSatisfy(w -> assertThat(w.create()).isTrue());

    Write combined = observe(WEB, "InstanceRepaired", "replaced i-11", T0.plusSeconds(11));
    assertThat(combined.create()).isTrue();
    assertThat(combined.message()).isEqualTo(EventCorrelator.COMBINED + "replaced i-11");
    assertThat(observe(WEB, "InstanceRepaired", "replaced i-12", T0.plusSeconds(12))).isNull();

    assertThat(correlator.due(T0.plusSeconds(21), false)).singleElement().satisfies(w -> {
      assertThat(w.eventName()).isEqualTo(combined.eventName());
      assertThat(w.count()).isEqualTo(2);
      assertThat(w.message()).isEqualTo(EventCorrelator.COMBINED + "replaced i-12");
    });
  }

  @Test
  void theSimilarityWindowStartsAgainAfterTenMinutes() {
    for (int i = 1; i <= 11; i++) {
      observe(WEB, "InstanceRepaired", "replaced i-" + i, T0);
    }
    Write later = observe(WEB, "InstanceRepaired", "replaced i-99", T0.plus(EventCorrelator.SIMILAR_WINDOW));
    assertThat(later.create()).isTrue();
    assertThat(later.message()).isEqualTo("replaced i-99");
  }

  @Test
  void objectsTypesAndReasonsAreCorrelatedSeparately() {
    assertThat(observe(WEB, "ProbeFailed", "timeout", T0).create()).isTrue();
    assertThat(observe(API, "ProbeFailed", "timeout", T0).create()).isTrue();
    assertThat(observe(WEB, "ScaledUp", "timeout", T0).create()).isTrue();
    assertThat(correlator.observe(WEB, "Normal", "ProbeFailed", "timeout", T0, "n").create()).isTrue();
    assertThat(correlator.tracked()).isEqualTo(4);
  }

  @Test
  void flushingWritesEveryUnwrittenCountWhateverItsAge() {
    observe(WEB, "ProbeFailed", "timeout", T0);
    observe(WEB, "ProbeFailed", "timeout", T0.plusSeconds(1));
    observe(API, "ProbeFailed", "timeout", T0);
    assertThat(correlator.due(T0.plusSeconds(2), true)).singleElement()
        .satisfies(w -> assertThat(w.count()).isEqualTo(2));
  }

  @Test
  void theLeastRecentlySeenEventIsForgottenBeyondTheBound() {
    observe(WEB, "ProbeFailed", "first", T0);
    for (int i = 0; i < EventCorrelator.MAX_TRACKED; i++) {
      Subject s = new Subject("default", "v1", "Unikernel", "f" + i, "u" + i);
      correlator.observe(s, "Normal", "Scaled", "m", T0, "x" + i);
    }
    assertThat(correlator.tracked()).isEqualTo(EventCorrelator.MAX_TRACKED);
    assertThat(observe(WEB, "ProbeFailed", "first", T0.plusSeconds(1)).create()).as("forgotten, so new").isTrue();
  }

  @Test
  void countsGoToTheNewEventAfterTheOldOneExpired() {
    Write first = observe(WEB, "ProbeFailed", "timeout", T0);
    observe(WEB, "ProbeFailed", "timeout", T0.plusSeconds(1));
    correlator.renamed(first, "fresh");
    assertThat(correlator.due(T0.plus(Duration.ofMinutes(1)), false)).singleElement()
        .satisfies(w -> assertThat(w.eventName()).isEqualTo("fresh"));
  }
}
