package io.dustcloud.sim;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A demand trace: demand per second, from a CSV of {@code second,demand} lines (a header line,
 * blank lines and {@code #} comments are allowed; seconds must increase; a second left out
 * keeps the previous demand).
 */
public record Trace(String name, double[] demand) {

  public static Trace read(Path file) throws IOException {
    String name = file.getFileName().toString().replaceFirst("\\.csv$", "");
    return parse(name, Files.readAllLines(file));
  }

  public static Trace parse(String name, List<String> lines) {
    List<Double> demand = new ArrayList<>();
    int lineNo = 0;
    boolean headerAllowed = true;
    for (String raw : lines) {
      lineNo++;
      String line = raw.strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      if (headerAllowed && Character.isLetter(line.charAt(0))) {
        headerAllowed = false;
        continue;
      }
      headerAllowed = false;
      String[] f = line.split("\\s*,\\s*");
      int second;
      double value;
      try {
        second = Integer.parseInt(f[0]);
        value = Double.parseDouble(f[1]);
      } catch (RuntimeException e) {
        throw new IllegalArgumentException(name + " line " + lineNo + ": expected second,demand but got '" + line + "'");
      }
      if (second < demand.size() || value < 0 || Double.isNaN(value)) {
        throw new IllegalArgumentException(
            name + " line " + lineNo + ": seconds must increase and demand must be a non-negative number");
      }
      double previous = demand.isEmpty() ? 0 : demand.get(demand.size() - 1);
      while (demand.size() < second) {
        demand.add(previous);
      }
      demand.add(value);
    }
    if (demand.isEmpty()) {
      throw new IllegalArgumentException(name + ": no samples");
    }
    return new Trace(name, demand.stream().mapToDouble(Double::doubleValue).toArray());
  }

  public int seconds() {
    return demand.length;
  }

  /**
   * Seconds where demand steps up: at least {@code factor} times the previous 10 s mean,
   * and at least {@code gap} seconds after the previous step.
   */
  public List<Integer> steps(double factor, int gap) {
    List<Integer> steps = new ArrayList<>();
    for (int s = 10; s < demand.length; s++) {
      double before = 0;
      for (int i = s - 10; i < s; i++) {
        before += demand[i];
      }
      before /= 10;
      boolean far = steps.isEmpty() || s - steps.get(steps.size() - 1) >= gap;
      if (far && demand[s] >= factor * before && demand[s] > 0) {
        steps.add(s);
      }
    }
    return steps;
  }
}
