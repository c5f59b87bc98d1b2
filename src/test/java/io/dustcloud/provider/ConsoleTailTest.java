package io.dustcloud.provider;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The bounded output tail status quotes: lines, bytes, printable. */
class ConsoleTailTest {
  static Stream<Arguments> cases() {
    return Stream.of(
        // name, output, lines, bytes, tail
        Arguments.of("nothing printed", "", 5, 100, List.of()),
        Arguments.of("fewer lines than asked", "a\nb\n", 5, 100, List.of("a", "b")),
        Arguments.of("the last lines, oldest first", "1\n2\n3\n4\n5\n6\n7\n", 3, 100, List.of("5", "6", "7")),
        Arguments.of("blank lines and CRLF skipped", "a\r\n\r\n  \nb\r\n", 5, 100, List.of("a", "b")),
        Arguments.of("control characters dropped", "\u001b[31merror\u001b[0m\n", 5, 100, List.of("[31merror[0m")),
        Arguments.of("bytes bound the lines taken", "aaaa\nbbbb\ncccc\n", 5, 8, List.of("bbbb", "cccc")),
        Arguments.of("an endless line keeps its end", "x".repeat(50) + "END\n", 5, 10, List.of("xxxxxxxEND")),
        Arguments.of("a cut never leaves half a character", "ééééé\n", 5, 5, List.of("éé")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void tails(String name, String output, int lines, int bytes, List<String> tail) {
    List<String> got = ConsoleTail.of(output.getBytes(StandardCharsets.UTF_8), lines, bytes);
    assertThat(got).isEqualTo(tail);
    assertThat(String.join("", got).getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(bytes);
  }
}
