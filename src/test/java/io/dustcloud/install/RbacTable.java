package io.dustcloud.install;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.TreeSet;

/** The rules documented in docs/rbac.md, flattened like {@link Charts#grants}. */
final class RbacTable {
  static final Path DOC = Path.of("docs", "rbac.md");

  private RbacTable() {}

  /** Grants of the rows whose "where" column is {@code where} ("watched" or "release"). */
  static TreeSet<String> grants(String where) {
    TreeSet<String> out = new TreeSet<>();
    try {
      for (String line : Files.readAllLines(DOC)) {
        if (!line.startsWith("| `") && !line.startsWith("| core")) {
          continue;
        }
        String[] cells = line.split("\\|");
        String group = cells[1].contains("core") ? "core" : strip(cells[1]);
        String resource = strip(cells[2]);
        String names = strip(cells[3]);
        String scope = cells[5].trim();
        if (!scope.equals(where)) {
          continue;
        }
        for (String verb : cells[4].split(",")) {
          out.add(group + "/" + resource + (names.isEmpty() ? "" : ":" + names) + " " + verb.trim());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (out.isEmpty()) {
      throw new AssertionError("no '" + where + "' rows in " + DOC);
    }
    return out;
  }

  private static String strip(String cell) {
    return cell.replace("`", "").trim();
  }
}
