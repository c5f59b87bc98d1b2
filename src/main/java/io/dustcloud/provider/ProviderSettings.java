package io.dustcloud.provider;

import io.dustcloud.core.Reason;

/**
 * A revision's provider-specific settings, typed by the provider that reads them (its own
 * record in its own package). The SPI names no provider: each provider checks that the
 * settings it is handed are its own type and refuses others with a non-retryable
 * {@link ProviderException}.
 */
public interface ProviderSettings {
  /**
   * {@code settings} as the {@code type} of provider {@code provider}; settings of another
   * provider (or none) are a configuration error, reported with {@code reason}, not retried.
   */
  static <T extends ProviderSettings> T as(ProviderSettings settings, Class<T> type, String provider, Reason reason) {
    if (type.isInstance(settings)) {
      return type.cast(settings);
    }
    throw new ProviderException(reason, "the " + provider + " provider was handed settings of another provider ("
        + (settings == null ? "none" : settings.getClass().getSimpleName()) + ")", false);
  }
}
