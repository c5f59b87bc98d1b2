package io.dustcloud.core.revision;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Names revisions after the content they freeze: {@code <unikernel>-<hash>}. The same
 * revision-relevant spec always yields the same name, so re-applying an old spec returns to
 * the old revision instead of creating a new one.
 */
public final class RevisionNaming {
  /** Hex characters of the content hash kept in names (40 bits: collisions need ~10^6 revisions of one fleet). */
  public static final int HASH_LENGTH = 10;
  /** Revision names are used as label values, which are at most 63 characters. */
  public static final int MAX_NAME = 63;

  private RevisionNaming() {}

  /** The content hash of a canonical (key-sorted) serialization of the revision-relevant spec. */
  public static String hash(String canonicalSpec) {
    return sha256Hex(canonicalSpec.getBytes(StandardCharsets.UTF_8)).substring(0, HASH_LENGTH);
  }

  /**
   * A DNS-1123 label: dots of the Unikernel's name become dashes (the hash, which covers the
   * original name, keeps {@code a.b} and {@code a-b} apart).
   */
  public static String name(String unikernel, String hash) {
    int room = MAX_NAME - hash.length() - 1;
    String label = unikernel.replace('.', '-');
    String prefix = label.length() > room ? label.substring(0, room) : label;
    // a truncated DNS-1123 name must not end in '-' or '.'
    prefix = prefix.replaceAll("[-.]+$", "");
    return prefix + "-" + hash;
  }

  /**
   * A Unikernel's name as a label value. Names may have up to 253 characters, label values 63:
   * a longer name is truncated and ends in a hash of the whole name, so two long names that
   * share their first 52 characters still get different values. Short names are kept as they
   * are (existing labels stay valid).
   */
  public static String labelValue(String unikernel) {
    if (unikernel.length() <= MAX_NAME) {
      return unikernel;
    }
    String hash = sha256Hex(unikernel.getBytes(StandardCharsets.UTF_8)).substring(0, HASH_LENGTH);
    String prefix = unikernel.substring(0, MAX_NAME - HASH_LENGTH - 1).replaceAll("[-.]+$", "");
    return prefix + "-" + hash;
  }

  public static String sha256Hex(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every JVM", e);
    }
  }
}
