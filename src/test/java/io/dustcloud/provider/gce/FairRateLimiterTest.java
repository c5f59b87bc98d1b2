package io.dustcloud.provider.gce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The limiter on a clock the test moves: a token appears only when the test says time passed. */
class FairRateLimiterTest {
  static final Duration WAIT = Duration.ofSeconds(30);
  final AtomicLong nanos = new AtomicLong();
  final ExecutorService pool = Executors.newCachedThreadPool();

  @AfterEach
  void stop() {
    pool.shutdownNow();
  }

  @Test
  void aBusyFleetDoesNotStarveAQuietOne() throws Exception {
    FairRateLimiter limiter = new FairRateLimiter(6000, nanos::get); // 100 per second, burst 100
    for (int i = 0; i < limiter.burst(); i++) {
      limiter.acquire("warm-up"); // empty the bucket so every later grant waits its turn
    }
    List<String> order = Collections.synchronizedList(new ArrayList<>());
    queue(limiter, "busy", 50, order);
    await().atMost(WAIT).until(() -> limiter.waiting() == 50);
    queue(limiter, "quiet", 3, order);
    await().atMost(WAIT).until(() -> limiter.waiting() == 53);

    for (int grant = 1; grant <= 53; grant++) {
      nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(10)); // one token
      int expected = grant;
      await().pollInterval(Duration.ofMillis(2)).atMost(WAIT).until(() -> order.size() == expected);
    }
    // served round-robin: the quiet fleet's three calls alternate with the busy fleet's, not after 50
    assertThat(order.subList(0, 6)).containsExactly("busy", "quiet", "busy", "quiet", "busy", "quiet");
    assertThat(order.subList(6, 53)).containsOnly("busy");
  }

  @Test
  void keepsToTheBudget() throws Exception {
    FairRateLimiter limiter = new FairRateLimiter(1200, nanos::get); // 20 per second, burst 20
    for (int i = 0; i < 20; i++) {
      limiter.acquire("f" + i % 3);
    }
    List<String> order = Collections.synchronizedList(new ArrayList<>());
    queue(limiter, "f0", 20, order);
    await().atMost(WAIT).until(() -> limiter.waiting() == 20);
    await().during(Duration.ofMillis(300)).atMost(WAIT).until(() -> limiter.granted() == 20);

    nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(500)); // ten tokens
    await().atMost(WAIT).until(() -> limiter.granted() == 30);
    await().during(Duration.ofMillis(300)).atMost(WAIT).until(() -> limiter.granted() == 30);

    nanos.addAndGet(TimeUnit.SECONDS.toNanos(60)); // a quiet minute refills the burst, no more
    await().atMost(WAIT).until(() -> limiter.granted() == 40);
    for (int i = 0; i < 10; i++) {
      limiter.acquire("f1"); // the ten tokens left of the burst
    }
    queue(limiter, "f2", 1, order);
    await().during(Duration.ofMillis(300)).atMost(WAIT).until(() -> limiter.granted() == 50);
    nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(50));
    await().atMost(WAIT).until(() -> limiter.granted() == 51);
  }

  private void queue(FairRateLimiter limiter, String fleet, int calls, List<String> order) {
    for (int i = 0; i < calls; i++) {
      pool.submit(() -> {
        limiter.acquire(fleet);
        order.add(fleet);
        return null;
      });
    }
  }

  /** Pages and operation polls the limiter never saw are taken from the bucket afterwards: later calls wait for them. */
  @Test
  void requestsSentBeyondTheGrantsAreTakenFromTheBudget() throws Exception {
    FairRateLimiter limiter = new FairRateLimiter(1200, nanos::get); // 20 per second, burst 20
    AtomicLong sent = new AtomicLong();
    limiter.settleAgainst(sent::get);
    for (int i = 0; i < 20; i++) {
      limiter.acquire("f");
      sent.incrementAndGet(); // the call's own request
    }
    sent.addAndGet(10); // ten polls of the calls' operations, on the client's threads
    assertThat(limiter.settled()).isEqualTo(10);

    List<String> order = Collections.synchronizedList(new ArrayList<>());
    queue(limiter, "g", 1, order);
    nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(500)); // ten tokens: they pay for the polls
    await().during(Duration.ofMillis(300)).atMost(WAIT).until(() -> order.isEmpty());
    nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(50)); // one more
    await().atMost(WAIT).until(() -> order.size() == 1);
    assertThat(limiter.granted()).isEqualTo(21);
    assertThat(limiter.settled()).as("settled once, not again").isEqualTo(10);
  }

  /** The census's turn comes before every fleet's: on a spent budget it must not wait a round of all queues. */
  @Test
  void aCallAheadIsServedBeforeEveryWaitingFleet() throws Exception {
    FairRateLimiter limiter = new FairRateLimiter(6000, nanos::get); // 100 per second, burst 100
    for (int i = 0; i < limiter.burst(); i++) {
      limiter.acquire("warm-up");
    }
    List<String> order = Collections.synchronizedList(new ArrayList<>());
    for (int f = 0; f < 5; f++) {
      queue(limiter, "fleet-" + f, 2, order);
    }
    await().atMost(WAIT).until(() -> limiter.waiting() == 10);
    pool.submit(() -> {
      limiter.acquire("census", true);
      order.add("census");
      return null;
    });
    await().atMost(WAIT).until(() -> limiter.waiting() == 11);

    nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(10)); // one token
    await().atMost(WAIT).until(() -> order.size() == 1);
    assertThat(order).containsExactly("census");
  }
}
