package io.dustcloud.core.build;

import io.dustcloud.core.revision.RevisionNaming;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The build key: a SHA-256 over every {@link BuildInputs} field. It names the artifact
 * ({@code <bucket>/<key>.tar.gz}) and the build Job, and indexes finished builds, so the same
 * inputs are built at most once.
 *
 * <p>The encoding is length-prefixed (no separator can be forged by a value: {@code ["a b"]}
 * and {@code ["a", "b"]} differ) and starts with a version tag, bumped if the encoding or the
 * builder contract ever changes, so old keys are never reused for a different meaning.
 */
public final class BuildKey {
  static final String VERSION = "dustcloud-build-key/v1";
  public static final int LENGTH = 64;

  private BuildKey() {}

  public static String of(BuildInputs in) {
    List<String> fields = new ArrayList<>();
    fields.add(VERSION);
    fields.add(in.kind());
    fields.add(in.source());
    fields.add(in.revision());
    fields.add(in.target());
    fields.add(in.builder());
    fields.add(in.lockFile());
    fields.add(in.artifact());
    fields.add(Integer.toString(in.bakedBootArgs().size()));
    fields.addAll(in.bakedBootArgs());
    fields.add(in.output());
    StringBuilder encoded = new StringBuilder();
    for (String f : fields) {
      encoded.append(f.getBytes(StandardCharsets.UTF_8).length).append(':').append(f).append(',');
    }
    return RevisionNaming.sha256Hex(encoded.toString().getBytes(StandardCharsets.UTF_8));
  }

  /** Whether {@code s} looks like a key (64 lowercase hex characters). */
  public static boolean isKey(String s) {
    return s != null && s.matches("[a-f0-9]{" + LENGTH + "}");
  }
}
