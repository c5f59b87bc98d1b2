package io.dustcloud.install;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dustcloud.core.Reason;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Events and conditions speak one vocabulary, {@link Reason}: the types make a free-form reason
 * impossible; this checks that every fixed reason is documented in docs/troubleshooting.md and
 * that no reason is spelled as a string literal anywhere else in main code.
 */
class EventReasonsTest {
  static final Path MAIN = Path.of("src", "main", "java");
  static final Path DOC = Path.of("docs", "troubleshooting.md");

  @Test
  void everyFixedReasonIsDocumented() throws IOException {
    String doc = Files.readString(DOC);
    assertThat(Reason.fixed()).hasSizeGreaterThan(50).allSatisfy(r ->
        assertThat(doc).as("docs/troubleshooting.md documents %s", r).contains("| `" + r.value() + "` |"));
  }

  @Test
  void reasonsAreDeclaredOnlyInTheVocabulary() throws IOException {
    List<String> bad = new ArrayList<>();
    for (Path file : javaFiles()) {
      // the vocabulary itself, and condition types (RolledBack is both a type and a reason)
      if (file.endsWith(Path.of("io", "dustcloud", "core", "Reason.java"))
          || file.endsWith(Path.of("io", "dustcloud", "operator", "Conditions.java"))) {
        continue;
      }
      String text = Files.readString(file);
      for (Reason r : Reason.fixed()) {
        Matcher m = Pattern.compile("\"" + r.value() + "\"").matcher(text);
        if (m.find()) {
          bad.add(file.getFileName() + ": \"" + r.value() + "\"");
        }
      }
    }
    assertThat(bad).as("reasons spelled as literals outside io.dustcloud.core.Reason").isEmpty();
  }

  @Test
  void backendReasonsAreCamelCaseAndPrefixed() {
    assertThat(Reason.backend("Gce", "rateLimitExceeded").value()).isEqualTo("GceRateLimitExceeded");
    assertThat(Reason.backend("Gce", "RESOURCE_EXHAUSTED").value()).isEqualTo("GceResourceExhausted");
    assertThat(Reason.backend("Gce", null).value()).isEqualTo("GceError");
    assertThat(Reason.read("FleetReady")).isSameAs(Reason.FLEET_READY);
    assertThatThrownBy(() -> Reason.read("not camel")).isInstanceOf(IllegalArgumentException.class);
  }

  static List<Path> javaFiles() throws IOException {
    try (Stream<Path> s = Files.walk(MAIN)) {
      return s.filter(p -> p.toString().endsWith(".java")).sorted().toList();
    }
  }
}
