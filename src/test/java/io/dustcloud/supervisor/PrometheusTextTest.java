package io.dustcloud.supervisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PrometheusTextTest {
  /** What examples/hello serves. */
  static final String HELLO = """
      # HELP hello_requests_total HTTP requests received.
      # TYPE hello_requests_total counter
      hello_requests_total 42
      # HELP hello_requests_in_flight HTTP requests being handled.
      # TYPE hello_requests_in_flight gauge
      hello_requests_in_flight 3
      # HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.
      # TYPE process_cpu_seconds_total counter
      process_cpu_seconds_total 1.250000
      """;

  static Stream<Arguments> sums() {
    return Stream.of(
        Arguments.of("plain counter", HELLO, "hello_requests_total", 42.0),
        Arguments.of("gauge", HELLO, "hello_requests_in_flight", 3.0),
        Arguments.of("float", HELLO, "process_cpu_seconds_total", 1.25),
        Arguments.of("a name that is a prefix of another is not matched", HELLO, "hello_requests", Double.NaN),
        Arguments.of("summed across label sets", """
            http_requests_total{code="200",path="/"} 10
            http_requests_total{code="500",path="/"} 2
            http_requests_total{path="/x",code="200"} 3 1700000000000
            """, "http_requests_total", 15.0),
        Arguments.of("escaped quotes, backslashes and braces in label values", """
            m{a="say \\"hi\\"}",b="c:\\\\d",c="x\\ny"} 1
            m{a="}"} 2
            """, "m", 3.0),
        Arguments.of("spaces around labels, trailing comma, no labels", """
            m { a = "1" , b="2", } 4
            m{} 1
            """, "m", 5.0),
        Arguments.of("exponent and special values", """
            a 1.5e3
            b +Inf
            c NaN
            """, "a", 1500.0),
        Arguments.of("+Inf is a value", "b +Inf\n", "b", Double.POSITIVE_INFINITY),
        Arguments.of("blank lines, CRLF and comments", "\r\n# a comment\r\nx 7\r\n\r\n", "x", 7.0),
        Arguments.of("absent metric", HELLO, "nope", Double.NaN));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("sums")
  void sums(String name, String body, String metric, double expected) {
    // boxed, so NaN (absent) compares equal to NaN
    assertThat((Double) PrometheusText.parse(body).sum(metric)).isEqualTo(Double.valueOf(expected));
    assertThat((Double) PrometheusText.parse(body, metric).sum(metric)).as("filtered parse agrees")
        .isEqualTo(Double.valueOf(expected));
  }

  @Test
  void labelsAreUnescaped() {
    var s = PrometheusText.parse("m{a=\"say \\\"hi\\\"\",b=\"c\\\\d\",c=\"x\\ny\"} 1\n").samples().get(0);
    assertThat(s.labels()).containsExactly(Map.entry("a", "say \"hi\""), Map.entry("b", "c\\d"), Map.entry("c", "x\ny"));
  }

  @Test
  void countersAreKnownByTypeOrByName() {
    var parsed = PrometheusText.parse(HELLO + "# TYPE om counter\nom_total 1\nuntyped_total 2\nplain 3\n");
    assertThat(parsed.isCounter("hello_requests_total")).isTrue();
    assertThat(parsed.isCounter("hello_requests_in_flight")).isFalse();
    assertThat(parsed.isCounter("om_total")).as("OpenMetrics family name").isTrue();
    assertThat(parsed.isCounter("untyped_total")).isTrue();
    assertThat(parsed.isCounter("plain")).isFalse();
  }

  static Stream<Arguments> malformed() {
    return Stream.of(
        Arguments.of("m{a=\"1\" 2\n", "line 1: expected , or } after label a"),
        Arguments.of("ok 1\nm{a=1} 2\n", "line 2: expected =\" after label a"),
        Arguments.of("m{a=\"x} 2\n", "line 1: unterminated label value"),
        Arguments.of("m twelve\n", "line 1: bad value 'twelve'"),
        Arguments.of("m\n", "line 1: expected a value and an optional timestamp"),
        Arguments.of("m 1 2 3\n", "line 1: expected a value and an optional timestamp"),
        Arguments.of("{a=\"1\"} 2\n", "line 1: no metric name"));
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("malformed")
  void malformedLinesAreNamed(String body, String message) {
    assertThatThrownBy(() -> PrometheusText.parse(body)).hasMessage(message);
  }

  @Test
  void otherMetricsAreSkippedByTheFilteredParse() {
    // a malformed line of another metric does not fail a scrape that does not need it
    var parsed = PrometheusText.parse("other{a=broken} 1\nm 2\n", "m");
    assertThat(parsed.sum("m")).isEqualTo(2.0);
  }
}
