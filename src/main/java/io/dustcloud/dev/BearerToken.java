package io.dustcloud.dev;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Locale;

/**
 * The one credential the dev API server accepts: 256 random bits, made at start, known only to the
 * kubeconfig dev mode writes (0600) and to the operator's own client. Without it any local user could
 * drive the operator, which often runs as root.
 */
final class BearerToken {

  private static final int BYTES = 32;
  private static final String SCHEME = "bearer";

  /**
   * What kube-apiserver answers a request it cannot authenticate, byte for byte: kubectl turns it into
   * "error: You must be logged in to the server (Unauthorized)".
   */
  static final String UNAUTHORIZED_JSON = "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},"
      + "\"status\":\"Failure\",\"message\":\"Unauthorized\",\"reason\":\"Unauthorized\",\"code\":401}";

  private final String value;
  /** Compared as digests so that neither the bytes nor the length of the right token leak through timing. */
  private final byte[] digest;

  private BearerToken(String value) {
    this.value = value;
    this.digest = sha256(value);
  }

  static BearerToken generate(SecureRandom random) {
    byte[] bytes = new byte[BYTES];
    random.nextBytes(bytes);
    // hex: no character YAML or an HTTP header would need quoted or escaped
    return new BearerToken(HexFormat.of().formatHex(bytes));
  }

  String value() {
    return value;
  }

  /**
   * Whether an Authorization header carries this token, parsed as kube-apiserver does: the scheme
   * "Bearer" in any case, one space, the token.
   */
  boolean admits(String authorization) {
    if (authorization == null) {
      return false;
    }
    int space = authorization.indexOf(' ');
    if (space < 0 || !authorization.substring(0, space).toLowerCase(Locale.ROOT).equals(SCHEME)) {
      return false;
    }
    // constant time in the content of the presented token
    return MessageDigest.isEqual(digest, sha256(authorization.substring(space + 1)));
  }

  /** Never the value: a token in a log or an exception message is a token disclosed. */
  @Override
  public String toString() {
    return "BearerToken[redacted]";
  }

  private static byte[] sha256(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }
}
