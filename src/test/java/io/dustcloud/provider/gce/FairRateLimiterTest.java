package io.dustcloud.provider.gce;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class FairRateLimiterTest {

  @Test
  void aBusyFleetDoesNotStarveAQuietOne() throws Exception {
    FairRateLimiter limiter = new FairRateLimiter(6000); // 100 per second, burst 100
    for (int i = 0; i < limiter.burst(); i++) {
      limiter.acquire("warm-up"); // empty the bucket so every later grant waits its turn
    }
    List<String> order = Collections.synchronizedList(new ArrayList<>());
    ExecutorService pool = Executors.newFixedThreadPool(60);
    CountDownLatch busyQueued = new CountDownLatch(50);
    for (int i = 0; i < 50; i++) {
      pool.submit(() -> {
        busyQueued.countDown();
        limiter.acquire("busy");
        order.add("busy");
        return null;
      });
    }
    busyQueued.await();
    Thread.sleep(50);
    for (int i = 0; i < 3; i++) {
      pool.submit(() -> {
        limiter.acquire("quiet");
        order.add("quiet");
        return null;
      });
    }
    pool.shutdown();
    assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();

    assertThat(order).hasSize(53);
    // served round-robin: the quiet fleet's three calls come within the first dozen grants, not after 50
    assertThat(order.lastIndexOf("quiet")).isLessThan(15);
  }

  @Test
  void keepsToTheBudget() throws Exception {
    FairRateLimiter limiter = new FairRateLimiter(1200); // 20 per second, burst 20
    long start = System.nanoTime();
    for (int i = 0; i < 40; i++) {
      limiter.acquire("f" + i % 3);
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    // 20 from the burst, 20 more at 20/s
    assertThat(seconds).isBetween(0.9, 1.6);
    assertThat(limiter.granted()).isEqualTo(40);
  }
}
