package io.dustcloud.provider;

import io.dustcloud.core.Reason;
import java.util.Objects;

/**
 * Why a provider cannot boot an image, with the reason the fleet stalls with: {@link
 * Reason#PROVIDER_UNSUPPORTED} for what the host lacks, a more precise one where the provider
 * knows the artifact itself is at fault (e.g. {@link Reason#SOLO5_MANIFEST_MISMATCH}).
 */
public record Unsupported(Reason reason, String message) {
  public Unsupported {
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(message, "message");
  }

  /** {@code message} as a {@link Reason#PROVIDER_UNSUPPORTED}, or null when there is none. */
  public static Unsupported of(String message) {
    return message == null ? null : new Unsupported(Reason.PROVIDER_UNSUPPORTED, message);
  }
}
