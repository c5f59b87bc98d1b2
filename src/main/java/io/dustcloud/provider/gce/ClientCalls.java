package io.dustcloud.provider.gce;

import com.google.api.client.http.HttpTransport;
import com.google.api.client.http.javanet.ConnectionFactory;
import com.google.api.client.http.javanet.DefaultConnectionFactory;
import com.google.api.client.http.javanet.NetHttpTransport;
import com.google.api.gax.core.CredentialsProvider;
import com.google.api.gax.core.ExecutorProvider;
import com.google.api.gax.httpjson.InstantiatingHttpJsonChannelProvider;
import com.google.api.gax.rpc.ClientSettings;
import com.google.api.gax.rpc.NotFoundException;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URL;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/** What every Compute client here shares: how it is set up, how a 404 reads, how an operation is awaited. */
final class ClientCalls {
  private ClientCalls() {}

  /**
   * One shared executor pool, one HTTP transport that counts every request it sends, our
   * endpoint and credentials (Google's and ADC when null). The count is what the call budget
   * settles against ({@link FairRateLimiter#settle}): a logical call may send more than one
   * request — the pages of a listing, the polls of an operation — and each is a call against
   * the project's API quota.
   */
  record Setup(ExecutorProvider shared, ScheduledExecutorService executor, String endpoint,
      CredentialsProvider credentials, AtomicLong requests, HttpTransport http) {

    static Setup of(ScheduledExecutorService executor, String endpoint, CredentialsProvider credentials) {
      AtomicLong requests = new AtomicLong();
      ConnectionFactory counting = new ConnectionFactory() {
        private final DefaultConnectionFactory connections = new DefaultConnectionFactory();

        @Override
        public HttpURLConnection openConnection(URL url) throws IOException {
          requests.incrementAndGet(); // one per request: the JDK keeps connections alive underneath
          return connections.openConnection(url);
        }
      };
      return new Setup(com.google.api.gax.core.FixedExecutorProvider.create(executor), executor, endpoint,
          credentials, requests, new NetHttpTransport.Builder().setConnectionFactory(counting).build());
    }

    /** Applies the shared parts to a client's settings; the client retries nothing itself (see {@link #NO_RETRIES}). */
    <S extends ClientSettings<S>, B extends ClientSettings.Builder<S, B>> B configure(B b) {
      b.setBackgroundExecutorProvider(shared)
          .setTransportChannelProvider(InstantiatingHttpJsonChannelProvider.newBuilder()
              .setExecutor(executor).setHttpTransport(http).build());
      if (credentials != null) {
        b.setCredentialsProvider(credentials);
      }
      if (endpoint != null && !endpoint.isBlank()) {
        b.setEndpoint(endpoint);
      }
      return b;
    }
  }

  /**
   * Applied to every unary method of a client: retries are {@link GceCalls}' job, one layer,
   * inside the rate limiter.
   */
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
