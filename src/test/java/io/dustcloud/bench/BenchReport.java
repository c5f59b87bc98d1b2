package io.dustcloud.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;

/**
 * Figures of one benchmark: printed as {@code name=value} lines on standard output and written
 * as JSON to {@code target/bench/NAME.json}. Benchmarks report; they do not assert timings.
 */
public final class BenchReport {
  private final String bench;
  private final Map<String, Object> figures = new LinkedHashMap<>();

  private BenchReport(String bench) {
    this.bench = bench;
  }

  /** Skips the calling benchmark unless {@code -Dbench=NAME} selected it. */
  public static BenchReport selected(String bench) {
    String wanted = System.getProperty("bench", "");
    Assumptions.assumeTrue(wanted.equals(bench) || wanted.equals("all"),
        "benchmark " + bench + " not selected (-Dbench=" + wanted + ")");
    return new BenchReport(bench);
  }

  public BenchReport put(String name, Object value) {
    figures.put(name, value instanceof Double d ? Math.round(d * 1000.0) / 1000.0 : value);
    System.out.println(name + "=" + figures.get(name));
    return this;
  }

  /** Writes {@code target/bench/NAME.json}. */
  public Path write() {
    try {
      Path out = Path.of("target", "bench", bench + ".json");
      Files.createDirectories(out.getParent());
      String json = figures.entrySet().stream()
          .map(e -> "  \"" + e.getKey() + "\": " + (e.getValue() instanceof Number || e.getValue() instanceof Boolean
              ? e.getValue() : "\"" + e.getValue() + "\""))
          .collect(Collectors.joining(",\n", "{\n", "\n}\n"));
      Files.writeString(out, json);
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
