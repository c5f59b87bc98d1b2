package io.dustcloud.install;

import static org.assertj.core.api.Assertions.assertThat;

import io.dustcloud.operator.Conditions;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Events and conditions use a fixed set of reasons: the constants of {@link Conditions.Reason}
 * and the reasons providers throw, all listed in docs/troubleshooting.md.
 */
class EventReasonsTest {
  static final Path MAIN = Path.of("src", "main", "java");
  static final Path DOC = Path.of("docs", "troubleshooting.md");

  @Test
  void eventsAreRecordedWithReasonConstantsOrConditionReasons() throws IOException {
    Pattern call = Pattern.compile("events\\.(normal|warning)\\(\\s*\\w+\\s*,\\s*([^,]+?)\\s*,", Pattern.DOTALL);
    List<String> bad = new ArrayList<>();
    int calls = 0;
    for (Path file : javaFiles()) {
      Matcher m = call.matcher(Files.readString(file));
      while (m.find()) {
        calls++;
        String reason = m.group(2);
        // a constant, a choice between constants, or the reason of a condition the code just set
        boolean ok = reason.matches("([\\w.()]+\\s*\\?\\s*)?Conditions\\.Reason\\.[A-Z_]+(\\s*:\\s*Conditions\\.Reason\\.[A-Z_]+)?")
            || reason.matches("\\w+\\.reason");
        if (!ok) {
          bad.add(file.getFileName() + ": " + reason);
        }
      }
    }
    assertThat(calls).as("event calls found").isGreaterThan(5);
    assertThat(bad).as("event reasons that are neither Conditions.Reason constants nor condition reasons").isEmpty();
  }

  @Test
  void everyReasonIsCamelCaseAndDocumented() throws Exception {
    String doc = Files.readString(DOC);
    TreeSet<String> reasons = new TreeSet<>(operatorReasons());
    // provider reasons thrown as literals, and reason constants of the build resolvers
    Pattern literal = Pattern.compile("new ProviderException\\(\\s*\"([^\"]+)\"");
    Pattern constant = Pattern.compile("static final String (?:REASON_\\w+|\\w+) = \"([A-Z][A-Za-z]+)\";");
    for (Path file : javaFiles()) {
      String text = Files.readString(file);
      Matcher m = literal.matcher(text);
      while (m.find()) {
        reasons.add(m.group(1));
      }
      if (file.startsWith(MAIN.resolve("io/dustcloud/build"))) {
        Matcher c = constant.matcher(text);
        while (c.find()) {
          reasons.add(c.group(1));
        }
      }
    }
    assertThat(reasons).hasSizeGreaterThan(20).allSatisfy(r -> {
      assertThat(r).matches("[A-Z][A-Za-z0-9]+");
      assertThat(doc).as("docs/troubleshooting.md documents %s", r).contains("| `" + r + "` |");
    });
  }

  static List<String> operatorReasons() throws IllegalAccessException {
    List<String> out = new ArrayList<>();
    for (Field f : Conditions.Reason.class.getFields()) {
      if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class) {
        out.add((String) f.get(null));
      }
    }
    return out;
  }

  static List<Path> javaFiles() throws IOException {
    try (Stream<Path> s = Files.walk(MAIN)) {
      return s.filter(p -> p.toString().endsWith(".java")).sorted().toList();
    }
  }
}
