package io.dustcloud.provider.gce;

import com.google.api.gax.core.CredentialsProvider;
import com.google.api.gax.core.ExecutorProvider;
import com.google.api.gax.httpjson.InstantiatingHttpJsonChannelProvider;
import com.google.api.gax.rpc.ClientSettings;
import com.google.api.gax.rpc.NotFoundException;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Supplier;

/** What every Compute client here shares: how it is set up, how a 404 reads, how an operation is awaited. */
final class ClientCalls {
  private ClientCalls() {}

  /**
   * One shared transport pool and background executor, our endpoint and credentials (Google's
   * and ADC when null), and no retries of the client's own: retries are {@link GceCalls}' job,
   * one layer, inside the rate limiter.
   */
  static <S extends ClientSettings<S>, B extends ClientSettings.Builder<S, B>> B configure(B b,
      ExecutorProvider shared, ScheduledExecutorService transport, String endpoint, CredentialsProvider credentials) {
    b.setBackgroundExecutorProvider(shared)
        .setTransportChannelProvider(InstantiatingHttpJsonChannelProvider.newBuilder().setExecutor(transport).build());
    if (credentials != null) {
      b.setCredentialsProvider(credentials);
    }
    if (endpoint != null && !endpoint.isBlank()) {
      b.setEndpoint(endpoint);
    }
    return b;
  }

  /** Applied to every unary method of a client: the client retries nothing itself. */
  static final com.google.api.core.ApiFunction<com.google.api.gax.rpc.UnaryCallSettings.Builder<?, ?>, Void> NO_RETRIES =
      s -> {
        s.setRetryableCodes();
        return null;
      };

  static <T> Optional<T> found(Supplier<T> get) {
    try {
      return Optional.of(get.get());
    } catch (NotFoundException e) {
      return Optional.empty();
    }
  }
}
