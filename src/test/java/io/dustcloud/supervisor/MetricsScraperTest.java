package io.dustcloud.supervisor;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MetricsScraperTest {
  final CountDownLatch release = new CountDownLatch(1);
  HttpServer fast;
  HttpServer slow;

  @AfterEach
  void stop() {
    release.countDown();
    if (fast != null) {
      fast.stop(0);
    }
    if (slow != null) {
      slow.stop(0);
    }
  }

  static HttpServer serve(int status, String body, CountDownLatch gate) throws IOException {
    HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    s.setExecutor(Executors.newCachedThreadPool());
    s.createContext("/metrics", ex -> {
      try {
        if (gate != null) {
          gate.await(10, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      byte[] b = body.getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(status, b.length);
      ex.getResponseBody().write(b);
      ex.close();
    });
    s.start();
    return s;
  }

  static String address(HttpServer s) {
    return "127.0.0.1:" + s.getAddress().getPort();
  }

  static MetricSource source(String metric, Duration timeout) {
    return new MetricSource(metric, metric, MetricSource.Kind.AUTO, 1, "/metrics", null, timeout);
  }

  @Test
  void aHungInstanceDelaysNobodyAndTimesOutOnItsOwn() throws Exception {
    fast = serve(200, PrometheusTextTest.HELLO, null);
    slow = serve(200, PrometheusTextTest.HELLO, release);
    MetricsScraper scraper = new MetricsScraper(Clock.systemUTC());
    MetricSource source = source("hello_requests_total", Duration.ofMillis(300));

    var hung = scraper.scrape(address(slow), source);
    var answered = scraper.scrape(address(fast), source).join();

    assertThat(answered.ok()).isTrue();
    assertThat(answered.value()).isEqualTo(42.0);
    assertThat(answered.counter()).isTrue();
    assertThat(hung).as("the hung instance's scrape is still out while the other one is done").isNotDone();
    var timedOut = hung.join();
    assertThat(timedOut.ok()).isFalse();
    assertThat(timedOut.error()).containsIgnoringCase("timed out");
  }

  @Test
  void failuresAreValuesNotExceptions() throws Exception {
    fast = serve(500, "oops", null);
    slow = serve(200, "other 1\n", null);
    MetricsScraper scraper = new MetricsScraper(Clock.systemUTC());
    MetricSource source = source("hello_requests_total", Duration.ofSeconds(1));

    assertThat(scraper.scrape(address(fast), source).join().error()).isEqualTo("HTTP 500 from /metrics");
    assertThat(scraper.scrape(address(slow), source).join().error()).isEqualTo("metric hello_requests_total not found");
    assertThat(scraper.scrape("127.0.0.1:1", source).join().error()).contains("ConnectException");
  }

  @Test
  void aSeparateMetricsPortReplacesTheInstancePort() {
    MetricSource s = new MetricSource("x", "x", MetricSource.Kind.GAUGE, 1, "/m", 9100, Duration.ofSeconds(1));
    assertThat(s.url("10.0.0.7:8080")).isEqualTo("http://10.0.0.7:9100/m");
    assertThat(source("x", Duration.ofSeconds(1)).url("10.0.0.7:8080")).isEqualTo("http://10.0.0.7:8080/metrics");
  }
}
