package io.dustcloud.provider;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** The bounded tail of an instance's output, for {@link FleetProvider#consoleTail}. Pure. */
public final class ConsoleTail {
  private ConsoleTail() {}

  /**
   * The last {@code lines} non-blank lines of {@code output}, within {@code bytes} bytes in all
   * (a longer last line is cut from its start, keeping its end), control characters dropped:
   * status messages and Events must stay printable.
   */
  public static List<String> of(byte[] output, int lines, int bytes) {
    String text = new String(output, StandardCharsets.UTF_8);
    List<String> all = Arrays.stream(text.split("\r?\n"))
        .map(l -> l.replaceAll("[\\p{Cntrl}&&[^\t]]", "").strip())
        .filter(l -> !l.isEmpty())
        .toList();
    List<String> tail = new ArrayList<>();
    int budget = bytes;
    for (int i = all.size() - 1; i >= 0 && tail.size() < lines && budget > 0; i--) {
      String line = all.get(i);
      byte[] b = line.getBytes(StandardCharsets.UTF_8);
      if (b.length > budget) {
        line = new String(b, b.length - budget, budget, StandardCharsets.UTF_8).replace("\uFFFD", "");
      }
      budget -= line.getBytes(StandardCharsets.UTF_8).length;
      tail.add(0, line);
    }
    return List.copyOf(tail);
  }
}
