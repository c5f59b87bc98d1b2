package io.dustcloud;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Small classes named for what they are: no main source file over {@value #LIMIT} lines. A class
 * that grows past it has taken on a second job; split that job out rather than raise the limit.
 */
class ClassSizeTest {
  static final int LIMIT = 400;
  static final Path MAIN = Path.of("src/main/java");

  @Test
  void noMainSourceFileIsOverTheLimit() throws IOException {
    assertThat(over(LIMIT)).as("main source files over %d lines", LIMIT).isEmpty();
  }

  /** The rule can fire: the largest files are over a lower limit, and are named with their size. */
  @Test
  void theRuleNamesFilesOverALowerLimit() throws IOException {
    assertThat(over(200)).isNotEmpty().allSatisfy(f -> assertThat(f).matches(".+\\.java: \\d+ lines"));
  }

  private static List<String> over(int limit) throws IOException {
    try (Stream<Path> files = Files.walk(MAIN)) {
      return files.filter(p -> p.toString().endsWith(".java")).map(p -> p + ": " + lines(p) + " lines")
          .filter(s -> Integer.parseInt(s.replaceAll(".*: (\\d+) lines", "$1")) > limit).sorted().toList();
    }
  }

  private static long lines(Path p) {
    try (Stream<String> l = Files.lines(p)) {
      return l.count();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
