package io.dustcloud.provider;

/**
 * A revision's provider-specific settings, typed by the provider that reads them (its own
 * record in its own package). The SPI names no provider: each provider checks that the
 * settings it is handed are its own type and refuses others with a non-retryable
 * {@link ProviderException}.
 */
public interface ProviderSettings {}
