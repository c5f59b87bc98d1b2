package io.dustcloud.provider.gce;

import io.dustcloud.provider.FleetId;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Deterministic GCE resource names ({@code [a-z]([-a-z0-9]*[a-z0-9])?}, at most 63 characters).
 *
 * <p>Every name ends in a hash of the exact inputs. Namespaces, names and revisions are DNS
 * labels that may themselves contain dashes, so a readable {@code dc-ns-name} alone would be
 * ambiguous ({@code a-b/c} and {@code a/b-c}); the hash keeps distinct inputs apart, and the
 * readable part is only truncated, never relied upon.
 */
public final class GceNames {
  static final int MAX = 63;
  static final int HASH_CHARS = 10;

  private GceNames() {}

  /** The managed instance group of a fleet. */
  public static String group(FleetId fleet) {
    return name(fleet.namespace(), fleet.name());
  }

  /** The instance template of one revision of a fleet (revision names already carry the fleet name). */
  public static String template(FleetId fleet, String revision) {
    return name(fleet.namespace(), fleet.name(), revision);
  }

  /** The image of one revision; images and templates live in different collections, so they share the name. */
  public static String image(FleetId fleet, String revision) {
    return template(fleet, revision);
  }

  static String name(String... parts) {
    String exact = String.join("/", parts);
    String hash = hash(exact);
    String readable = ("dc-" + String.join("-", parts)).toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-");
    int room = MAX - HASH_CHARS - 1;
    if (readable.length() > room) {
      readable = readable.substring(0, room);
    }
    return readable.replaceAll("-+$", "") + "-" + hash;
  }

  /** The last path segment of a resource URL or partial URL ({@code …/instanceTemplates/NAME}). */
  public static String lastSegment(String url) {
    return url.substring(url.lastIndexOf('/') + 1);
  }

  private static String hash(String s) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d).substring(0, HASH_CHARS);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
