package io.dustcloud.dev;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Raw HTTP requests to a dev API server with what its own client holds (users get the same from the kubeconfig):
 * the token, and the server's certificate to trust.
 */
public final class DevHttp {

  private static final Map<String, HttpClient> CLIENTS = new ConcurrentHashMap<>();

  private DevHttp() {
  }

  /** {@code path} with its query string, from "/" on, with the token. */
  public static HttpRequest.Builder request(DevApiServer server, String path) {
    return HttpRequest.newBuilder(URI.create(server.url() + path))
        .header("Authorization", "Bearer " + server.client().getConfiguration().getOauthToken());
  }

  /** An HTTP client that trusts the server's certificate (and no other), one per server. */
  public static HttpClient client(DevApiServer server) {
    return CLIENTS.computeIfAbsent(server.url(), url -> HttpClient.newBuilder()
        .sslContext(trusting(server.client().getConfiguration().getCaCertData())).build());
  }

  /** @param caBase64 a PEM certificate, base64 (a kubeconfig's certificate-authority-data) */
  public static SSLContext trusting(String caBase64) {
    try {
      byte[] pem = Base64.getDecoder().decode(caBase64.getBytes(StandardCharsets.US_ASCII));
      KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
      trusted.load(null, null);
      trusted.setCertificateEntry("dev", CertificateFactory.getInstance("X.509")
          .generateCertificate(new ByteArrayInputStream(pem)));
      TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(trusted);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, factory.getTrustManagers(), null);
      return context;
    } catch (GeneralSecurityException | java.io.IOException e) {
      throw new IllegalStateException("cannot trust the dev API server's certificate", e);
    }
  }
}
