package io.dustcloud.operator;

import io.dustcloud.core.Reason;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dustcloud.api.CrdFiles;
import io.dustcloud.api.v1alpha1.Unikernel;
import io.dustcloud.dev.DevApiServer;
import io.dustcloud.testing.MockApiServer;
import io.dustcloud.testing.MutableClock;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class EventRecorderTest {
  static final String NS = "default";

  @Test
  void aHundredRepeatsBecomeOneEventWithTheirCount() {
    try (MockApiServer api = new MockApiServer()) {
      MutableClock clock = new MutableClock();
      EventRecorder recorder = new EventRecorder(api.client(), clock);
      for (int i = 0; i < 100; i++) {
        recorder.warning(unikernel("web"), Reason.INSTANCE_REPAIRED, "replaced i-1: probe timed out");
      }
      recorder.close();

      List<Event> events = events(api.client());
      assertThat(events).singleElement().satisfies(e -> {
        assertThat(e.getCount()).isEqualTo(100);
        assertThat(e.getType()).isEqualTo("Warning");
        assertThat(e.getReason()).isEqualTo(Reason.INSTANCE_REPAIRED.value());
        assertThat(e.getInvolvedObject().getName()).isEqualTo("web");
        assertThat(e.getInvolvedObject().getUid()).isEqualTo("uid-web");
        assertThat(e.getInvolvedObject().getKind()).isEqualTo("Unikernel");
        assertThat(e.getSource().getComponent()).isEqualTo(EventRecorder.COMPONENT);
      });
      assertThat(recorder.writes()).as("one create, one count update").isEqualTo(2);
    }
  }

  @Test
  void eventsOfTheLongestObjectNamesHaveLegalNames() {
    // cut at 240 characters, which would end in '.'
    String longest = "a".repeat(239) + "." + "b".repeat(13);
    String name = EventRecorder.eventName(longest, "18c2f3a4b5d1");
    assertThat(name).hasSizeLessThanOrEqualTo(253).startsWith("a".repeat(239)).endsWith(".18c2f3a4b5d1")
        .matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    assertThat(EventRecorder.eventName("web", "1")).isEqualTo("web.1");
    assertThat(EventRecorder.eventName("x".repeat(253), "2")).isNotEqualTo(EventRecorder.eventName("x".repeat(253), "3"));
  }

  @Test
  void aRepeatAfterTheIntervalUpdatesTheCountAtOnce() {
    try (MockApiServer api = new MockApiServer()) {
      MutableClock clock = new MutableClock();
      try (EventRecorder recorder = new EventRecorder(api.client(), clock)) {
        recorder.normal(unikernel("web"), Reason.SCALED_UP, "desired 2 -> 4");
        await().atMost(Duration.ofSeconds(30)).until(() -> events(api.client()).size() == 1);
        clock.advance(EventCorrelator.REPEAT_WRITE_INTERVAL);
        recorder.normal(unikernel("web"), Reason.SCALED_UP, "desired 2 -> 4");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(events(api.client()))
            .singleElement().satisfies(e -> {
              assertThat(e.getCount()).isEqualTo(2);
              assertThat(e.getLastTimestamp()).isEqualTo(clock.instant().toString());
              assertThat(e.getFirstTimestamp()).isNotEqualTo(e.getLastTimestamp());
            }));
      }
    }
  }

  @Test
  void aCountedRepeatIsWrittenWhenItsIntervalHasPassed() {
    try (MockApiServer api = new MockApiServer()) {
      MutableClock clock = new MutableClock();
      try (EventRecorder recorder = new EventRecorder(api.client(), clock)) {
        recorder.warning(unikernel("web"), Reason.INSTANCES_UNHEALTHY, "timeout");
        recorder.warning(unikernel("web"), Reason.INSTANCES_UNHEALTHY, "timeout");
        recorder.warning(unikernel("web"), Reason.INSTANCES_UNHEALTHY, "timeout");
        await().atMost(Duration.ofSeconds(30)).until(() -> events(api.client()).size() == 1);
        await().during(Duration.ofMillis(600)).atMost(Duration.ofSeconds(30))
            .until(() -> events(api.client()).get(0).getCount() == 1);
        clock.advance(EventCorrelator.REPEAT_WRITE_INTERVAL);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(events(api.client()))
            .singleElement().satisfies(e -> assertThat(e.getCount()).isEqualTo(3)));
      }
    }
  }

  @Test
  void anExpiredEventIsStartedAgainWithTheCount() {
    try (MockApiServer api = new MockApiServer()) {
      MutableClock clock = new MutableClock();
      try (EventRecorder recorder = new EventRecorder(api.client(), clock)) {
        recorder.warning(unikernel("web"), Reason.INSTANCES_UNHEALTHY, "timeout");
        await().atMost(Duration.ofSeconds(30)).until(() -> events(api.client()).size() == 1);
        api.client().resource(events(api.client()).get(0)).delete();
        clock.advance(Duration.ofHours(1));
        recorder.warning(unikernel("web"), Reason.INSTANCES_UNHEALTHY, "timeout");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(events(api.client()))
            .singleElement().satisfies(e -> assertThat(e.getCount()).isEqualTo(2)));
      }
    }
  }

  @Test
  @Timeout(120) // an emit that waited for the API server would take minutes for these 2,000
  void recordingNeverWaitsForAnUnavailableApiServerAndCountsWhatItDrops() {
    try (DevApiServer api = DevApiServer.start("127.0.0.1", 0)) {
      api.installCrds(CrdFiles.load());
      EventRecorder recorder = new EventRecorder(api.client(), new MutableClock());
      api.faults().unavailable = true;
      int emitted = EventRecorder.QUEUE * 2;
      for (int i = 0; i < emitted; i++) {
        recorder.warning(unikernel("f" + i), Reason.INSTANCES_UNHEALTHY, "timeout");
      }
      assertThat(recorder.dropped()).isPositive();
      assertThat(recorder.pending()).isLessThanOrEqualTo(EventRecorder.QUEUE);
      // every event is dropped, waiting, or written (one may be between the queue and a write)
      assertThat(recorder.dropped() + recorder.pending() + recorder.writes()).isBetween((long) emitted - 1, (long) emitted);
      api.faults().clear();
      recorder.close();
    }
  }

  private static List<Event> events(KubernetesClient client) {
    return client.v1().events().inNamespace(NS).list().getItems();
  }

  private static Unikernel unikernel(String name) {
    Unikernel uk = new Unikernel();
    uk.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NS).withUid("uid-" + name).build());
    return uk;
  }
}
